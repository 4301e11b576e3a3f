package org.sparkbert.ml;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.evaluate.perplexity.MaskedLmScorer;
import org.sparkbert.evaluate.perplexity.ModelWeights;
import org.sparkbert.evaluate.perplexity.ScoringSequence;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * Encodes one partition batch by batch with a model borrowed from {@link ExecutorModels}: each row's
 * sentence vector, and with {@code specials} set its pseudo-log-likelihood (every non-special token
 * masked in turn, the sum of log p(true token), Salazar et al. 2020). The model goes back to the
 * executor's pool when the task ends, however it ends.
 */
final class PartitionEncoder implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;

    /** Where the three arrays are in the input rows. */
    record InputColumns(int inputIds, int tokenTypeIds, int attentionMask) implements java.io.Serializable {}

    private final Broadcast<ModelWeights> weights;
    private final ExecutorModels.Shape shape;
    private final InputColumns columns;
    private final Pooling pooling;
    private final SpecialTokens specials;

    /** @param specials the vocabulary's special tokens for a pseudo-log-likelihood column, else null */
    PartitionEncoder(
            Broadcast<ModelWeights> weights,
            ExecutorModels.Shape shape,
            InputColumns columns,
            Pooling pooling,
            SpecialTokens specials) {
        this.weights = weights;
        this.shape = shape;
        this.columns = columns;
        this.pooling = pooling;
        this.specials = specials;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        BertModel model = ExecutorModels.borrow(weights, shape);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) context -> ExecutorModels.giveBack(shape, model));
        }
        return new Iterator<>() {
            private final Deque<Row> ready = new ArrayDeque<>();
            private boolean returned = task != null;

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && rows.hasNext()) {
                    List<Row> batch = new ArrayList<>(shape.batchSize());
                    while (batch.size() < shape.batchSize() && rows.hasNext()) {
                        batch.add(rows.next());
                    }
                    ready.addAll(encode(model, batch));
                }
                if (ready.isEmpty() && !returned) {
                    returned = true;
                    ExecutorModels.giveBack(shape, model);
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.pollFirst();
            }
        };
    }

    private List<Row> encode(BertModel model, List<Row> rows) {
        int b = rows.size();
        int t = shape.seqLength();
        int h = model.config().hiddenSize();
        int[] ids = new int[b * t];
        int[] types = new int[b * t];
        int[] attention = new int[b * t];
        int[][] real = new int[b][];
        for (int r = 0; r < b; r++) {
            Row row = rows.get(r);
            int[] rowIds = Columns.ints(row, columns.inputIds());
            int length = realLength(Columns.ints(row, columns.attentionMask()), rowIds.length);
            if (length > t) {
                throw new IllegalArgumentException(
                        "a row of " + length + " tokens is longer than the encoder's maxLength " + t
                                + ": tokenize with a maxLength of at most " + t + ", or raise the encoder's maxLength");
            }
            System.arraycopy(rowIds, 0, ids, r * t, length);
            System.arraycopy(Columns.ints(row, columns.tokenTypeIds()), 0, types, r * t, length);
            Arrays.fill(attention, r * t, r * t + length, 1);
            real[r] = Arrays.copyOf(rowIds, length);
        }
        model.forward(new Batch(b, t, ids, types, attention, new int[0], new int[0], new int[b]), 0, 0, 0f);
        float[] hidden = model.hiddenStates();
        List<Row> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            var vector = Vectors.dense(pooling.pool(hidden, r, real[r].length, t, h));
            out.add(
                    specials == null
                            ? Columns.append(rows.get(r), vector)
                            : Columns.append(rows.get(r), vector, pseudoLogLikelihood(model, real[r])));
        }
        return out;
    }

    /** The number of leading real tokens: attention 1 up to the first 0, at least one. */
    private static int realLength(int[] attention, int idsLength) {
        if (attention.length != idsLength) {
            throw new IllegalArgumentException(
                    "input_ids has " + idsLength + " values but attention_mask " + attention.length);
        }
        int n = 0;
        while (n < attention.length && attention[n] != 0) {
            n++;
        }
        if (n == 0) {
            throw new IllegalArgumentException(
                    "a row without tokens (attention_mask starts with 0): every row needs at least [CLS]");
        }
        return n;
    }

    private double pseudoLogLikelihood(BertModel model, int[] ids) {
        MaskedLmScorer scorer = new MaskedLmScorer(model, specials, null);
        scorer.add(new ScoringSequence(0, ids));
        return -scorer.finish().nats();
    }
}
