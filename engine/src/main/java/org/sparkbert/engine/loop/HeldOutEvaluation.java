package org.sparkbert.engine.loop;

import java.util.ArrayList;
import java.util.List;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;

/**
 * Scores a held-out set with the training weights on a model of its own (forward only, no dropout),
 * so evaluating never touches the training model's state: a run with or without it ends with the
 * same weights. Rows are padded to the set's longest and scored in batches of {@code batchSize}.
 */
public final class HeldOutEvaluation implements AutoCloseable {
    private final HeldOutSet set;
    private final BertModel model;
    private final List<Batch> batches = new ArrayList<>();

    public HeldOutEvaluation(HeldOutSet set, ModelConfig config, Backend backend, int batchSize, int padId) {
        this.set = set;
        int T = set.longest();
        int predictions = 0;
        for (int start = 0; start < set.rows().size(); start += batchSize) {
            List<HeldOutSet.Row> rows = set.rows()
                    .subList(start, Math.min(start + batchSize, set.rows().size()));
            Batch b = batch(rows, T, padId);
            predictions = Math.max(predictions, b.predictions());
            batches.add(b);
        }
        // the sentence head is not scored: frozen validation rows carry no sentence label
        this.model = new BertModel(
                config.withDropout(0f, 0f),
                backend,
                Math.min(batchSize, set.rows().size()),
                T,
                Math.max(1, predictions),
                0);
    }

    /** The held-out figures of these weights (the training model's, in its parameter order). */
    public HeldOutRecord evaluate(long step, float[] weights) {
        model.backend().write(0, weights, 0, weights.length);
        double lossSum = 0;
        long correct = 0, positions = 0;
        for (Batch b : batches) {
            var losses = model.forward(b, 0L, 0L, 0, 0f, 0f);
            lossSum += losses.mlmLossSum();
            correct += losses.mlmCorrect();
            positions += losses.predictions();
        }
        return new HeldOutRecord(
                step,
                positions == 0 ? Double.NaN : lossSum / positions,
                positions == 0 ? Double.NaN : (double) correct / positions,
                positions,
                set.unigramNats(),
                set.twoNeighbourNats());
    }

    private static Batch batch(List<HeldOutSet.Row> rows, int T, int padId) {
        int B = rows.size();
        int[] ids = new int[B * T], types = new int[B * T], mask = new int[B * T];
        java.util.Arrays.fill(ids, padId);
        List<Integer> positions = new ArrayList<>(), labels = new ArrayList<>();
        for (int b = 0; b < B; b++) {
            HeldOutSet.Row r = rows.get(b);
            for (int t = 0; t < r.inputIds().length; t++) {
                ids[b * T + t] = r.inputIds()[t];
                types[b * T + t] = r.tokenTypeIds()[t];
                mask[b * T + t] = 1;
            }
            for (int k = 0; k < r.positions().length; k++) {
                positions.add(b * T + r.positions()[k]);
                labels.add(r.labels()[k]);
            }
        }
        return new Batch(
                B,
                T,
                ids,
                types,
                mask,
                positions.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                new int[B]);
    }

    @Override
    public void close() {
        model.close();
    }
}
