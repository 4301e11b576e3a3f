package org.sparkbert.evaluate.perplexity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * Scores sequences with a model's masked-LM head: the cross-entropy of the true token at each
 * predicted position, from the logits in double precision. Two ways to choose the positions:
 * BERT's masking drawn with a fixed seed per sequence key (epoch 0), or pseudo-perplexity, where
 * every non-special token is masked in turn, one copy of the sequence per token (Salazar et al. 2020).
 * The model must have dropout 0 and room for {@code maxBatch} rows of its sequence length.
 */
public final class MaskedLmScorer {
    private final BertModel model;
    private final SpecialTokens specials;
    private final DynamicMasker masker;
    private final int vocabSize;
    private final List<MaskedRow> pending = new ArrayList<>();
    private CrossEntropySum total = CrossEntropySum.ZERO;
    private HiddenStateSample sample;

    /** @param masker the fixed-seed masker, or null for pseudo-perplexity */
    public MaskedLmScorer(BertModel model, SpecialTokens specials, DynamicMasker masker) {
        if (model.config().hiddenDropoutProb() != 0 || model.config().attentionProbsDropoutProb() != 0) {
            throw new IllegalArgumentException("scoring needs a model without dropout");
        }
        this.model = model;
        this.specials = specials;
        this.masker = masker;
        this.vocabSize = model.config().vocabSize();
    }

    /** The most predicted positions per sequence of a masker of this probability at this length. */
    public static int maxPredictions(double probability, int maxSeqLength) {
        return Math.max(1, (int) Math.ceil(probability * maxSeqLength));
    }

    public CrossEntropySum scoreAll(Iterator<ScoringSequence> sequences) {
        while (sequences.hasNext()) {
            add(sequences.next());
        }
        return finish();
    }

    public void add(ScoringSequence sequence) {
        if (sequence.inputIds().length > model.seqLength()) {
            throw new IllegalArgumentException("a sequence of " + sequence.inputIds().length
                    + " tokens is longer than the model's " + model.seqLength());
        }
        if (masker != null) {
            var masked = masker.mask(sequence.inputIds(), sequence.key(), 0);
            if (masked.maskedPositions().length > 0) {
                queue(new MaskedRow(masked.inputIds(), null, masked.maskedPositions(), masked.maskedLabels()));
            }
            return;
        }
        int[] ids = sequence.inputIds();
        for (int i = 0; i < ids.length; i++) {
            if (!specials.isSpecial(ids[i])) {
                int[] corrupted = ids.clone();
                corrupted[i] = specials.mask();
                queue(new MaskedRow(corrupted, null, new int[] {i}, new int[] {ids[i]}));
            }
        }
    }

    /**
     * Adds a row whose mask was frozen when it was cut (the validation instances): its corrupted ids,
     * segment ids, and the positions with their true ids.
     */
    public void addFrozen(int[] inputIds, int[] tokenTypeIds, int[] positions, int[] labels) {
        if (inputIds.length > model.seqLength()) {
            throw new IllegalArgumentException("an instance of " + inputIds.length
                    + " tokens is longer than the model's " + model.seqLength() + " (--max-seq-length)");
        }
        if (positions.length > 0) {
            queue(new MaskedRow(inputIds, tokenTypeIds, positions, labels));
        }
    }

    /** Also keep a sample of the final hidden states of every scored batch (for the encoder diagnostics). */
    public MaskedLmScorer sampling(HiddenStateSample sample) {
        this.sample = sample;
        return this;
    }

    /** Scores what is still queued and returns the sum over everything added. */
    public CrossEntropySum finish() {
        if (!pending.isEmpty()) {
            scorePending();
        }
        return total;
    }

    private void queue(MaskedRow row) {
        pending.add(row);
        if (pending.size() == model.maxBatch()) {
            scorePending();
        }
    }

    private void scorePending() {
        Batch batch = batchOf(pending);
        model.forward(batch, 0, 0, 0f);
        float[] logits = model.mlmLogits();
        if (sample != null) {
            sample.offer(
                    model.hiddenStates(),
                    pending,
                    model.seqLength(),
                    model.config().hiddenSize(),
                    specials);
        }
        double nats = 0;
        int[] labels = batch.maskedLabels();
        for (int p = 0; p < labels.length; p++) {
            nats += crossEntropy(logits, p * vocabSize, labels[p]);
        }
        total = total.plus(new CrossEntropySum(nats, labels.length));
        pending.clear();
    }

    private double crossEntropy(float[] logits, int offset, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocabSize; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocabSize; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        return max + Math.log(sum) - logits[offset + label];
    }

    private Batch batchOf(List<MaskedRow> rows) {
        int b = rows.size();
        int t = model.seqLength();
        int[] ids = new int[b * t];
        int[] types = new int[b * t];
        int[] attention = new int[b * t];
        Arrays.fill(ids, specials.pad());
        int predictions = rows.stream().mapToInt(r -> r.positions().length).sum();
        int[] positions = new int[predictions];
        int[] labels = new int[predictions];
        int k = 0;
        for (int r = 0; r < b; r++) {
            MaskedRow row = rows.get(r);
            System.arraycopy(row.inputIds(), 0, ids, r * t, row.inputIds().length);
            if (row.tokenTypeIds() != null) {
                System.arraycopy(row.tokenTypeIds(), 0, types, r * t, row.tokenTypeIds().length);
            }
            Arrays.fill(attention, r * t, r * t + row.inputIds().length, 1);
            for (int j = 0; j < row.positions().length; j++) {
                positions[k] = r * t + row.positions()[j];
                labels[k++] = row.labels()[j];
            }
        }
        return new Batch(b, t, ids, types, attention, positions, labels, new int[b]);
    }
}
