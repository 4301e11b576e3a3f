package org.sparkbert.evaluate.perplexity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * A bounded sample of final hidden states, each tagged with the sequence it came from: a few token
 * vectors per sequence (evenly spaced over its ordinary tokens), until the limit. What the encoder
 * diagnostics read; samples of Spark partitions append in partition order, so the result does not
 * depend on scheduling.
 */
public final class HiddenStateSample implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int PER_SEQUENCE = 4;

    private final int limit;
    private final List<float[]> vectors = new ArrayList<>();
    private final List<Integer> sequences = new ArrayList<>();
    private int sequenceCount;

    public HiddenStateSample(int limit) {
        this.limit = limit;
    }

    /** Takes vectors from the hidden states [B, T, H] of a batch of these rows. */
    void offer(float[] hidden, List<MaskedRow> rows, int seqLength, int hiddenSize, SpecialTokens specials) {
        for (int r = 0; r < rows.size() && vectors.size() < limit; r++) {
            int[] ids = rows.get(r).inputIds();
            List<Integer> ordinary = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                if (!specials.isSpecial(ids[i])) {
                    ordinary.add(i);
                }
            }
            int take = Math.min(PER_SEQUENCE, ordinary.size());
            for (int k = 0; k < take && vectors.size() < limit; k++) {
                int position = ordinary.get(k * ordinary.size() / take);
                float[] v = new float[hiddenSize];
                System.arraycopy(hidden, (r * seqLength + position) * hiddenSize, v, 0, hiddenSize);
                vectors.add(v);
                sequences.add(sequenceCount);
            }
            sequenceCount++;
        }
    }

    /** Appends another partition's sample (its sequences renumbered after these), up to this sample's limit. */
    public HiddenStateSample append(HiddenStateSample other) {
        for (int i = 0; i < other.vectors.size() && vectors.size() < limit; i++) {
            vectors.add(other.vectors.get(i));
            sequences.add(sequenceCount + other.sequences.get(i));
        }
        sequenceCount += other.sequenceCount;
        return this;
    }

    public List<float[]> vectors() {
        return vectors;
    }

    public List<Integer> sequences() {
        return sequences;
    }
}
