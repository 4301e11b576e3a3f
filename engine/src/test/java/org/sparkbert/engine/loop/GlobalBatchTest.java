package org.sparkbert.engine.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.Optimizer;

/** A step is a function of the global batch: 1, 2 and 4 replicas (threads of this JVM) train alike. */
class GlobalBatchTest {
    private static final int B = 8, T = 12, V = 97, STEPS = 10;
    /** Dropout on (0.1 hidden and attention), NSP head: every part that a split could change. */
    private static final ModelConfig CONFIG =
            new ModelConfig(V, 24, 2, 4, 48, 16, 2, 0.1f, 0.1f, 1e-12f, 0.02f, false, 24, false, "nsp");

    @ParameterizedTest(name = "{0} replicas x {1} micro-batches")
    @CsvSource({"2, 1", "2, 2", "4, 1", "4, 2", "1, 4"})
    void replicasTrainLikeOneReplicaAtTheSameGlobalBatch(int replicas, int accumulate) throws Exception {
        List<Batch> data = globalBatches();
        Run one = train(data, 1, 1);
        Run many = train(data, replicas, accumulate);
        for (int r = 1; r < replicas; r++) {
            assertArrayEquals(
                    many.weights[0], many.weights[r], "replica " + r + " holds replica 0's weights, bit for bit");
            assertEquals(
                    untimed(many.metrics.get(0)),
                    untimed(many.metrics.get(r)),
                    "replica " + r + " reports replica 0's metrics");
        }
        double scale = 0, diff = 0;
        for (int i = 0; i < one.weights[0].length; i++) {
            scale = Math.max(scale, Math.abs(one.weights[0][i]));
            diff = Math.max(diff, Math.abs(one.weights[0][i] - many.weights[0][i]));
        }
        assertTrue(diff < 1e-5 * scale, "largest weight difference " + diff + " (largest weight " + scale + ")");
        StepMetrics a = one.metrics.get(0), b = many.metrics.get(0);
        assertEquals(a.loss(), b.loss(), 1e-4 * a.loss());
        assertEquals(a.mlmAccuracy(), b.mlmAccuracy(), 1e-9);
        assertEquals(a.sentenceAccuracy(), b.sentenceAccuracy(), 1e-9);
        assertEquals(a.predictions(), b.predictions());
        assertEquals(a.tokens(), b.tokens());
        assertEquals(a.gradientNorm(), b.gradientNorm(), 1e-4 * a.gradientNorm());
        // and training did move the weights: the tolerance above is not vacuous
        float[] initial = initialWeights();
        double moved = 0;
        for (int i = 0; i < initial.length; i++) moved = Math.max(moved, Math.abs(initial[i] - one.weights[0][i]));
        assertTrue(moved > 1000 * diff && moved > 1e-3, "training moved weights by " + moved);
    }

    /** The three public phases (count, localGradients, apply) with a driver-side sum give step's bits. */
    @Test
    void phasesWithADriverSumGiveTheSameBitsAsStep() throws Exception {
        List<Batch> data = globalBatches();
        int replicas = 2, accumulate = 2, micro = B / (replicas * accumulate);
        Run ring = train(data, replicas, accumulate);
        List<BertModel> models = new ArrayList<>();
        List<Trainer> trainers = new ArrayList<>();
        try {
            for (int r = 0; r < replicas; r++) {
                models.add(model(micro));
                trainers.add(new Trainer(models.get(r), optimizer(), options(accumulate)));
            }
            StepMetrics last = null;
            for (int s = 0; s < STEPS; s++) {
                StepCounts global = new StepCounts(0, 0, 0);
                for (int r = 0; r < replicas; r++)
                    global = global.plus(trainers.get(r).count(mine(data.get(s), r, replicas, accumulate)));
                float[][] parts = new float[replicas][];
                for (int r = 0; r < replicas; r++) {
                    parts[r] = trainers.get(r)
                            .localGradients(mine(data.get(s), r, replicas, accumulate), global, r * accumulate);
                }
                float[] summed = sumInRankOrder(parts);
                for (Trainer t : trainers) last = t.apply(summed);
            }
            for (int r = 0; r < replicas; r++)
                assertArrayEquals(ring.weights[r], weights(models.get(r)), "replica " + r);
            assertEquals(ring.metrics.get(0).loss(), last.loss());
        } finally {
            for (BertModel m : models) m.close();
        }
    }

    /** A sequence's dropout masks follow its global index, not its row in the micro-batch. */
    @Test
    void dropoutOfASequenceDoesNotDependOnItsMicroBatch() {
        Batch whole = globalBatches().get(0);
        try (BertModel model = model(B)) {
            model.forward(whole, 7, 3, 0, 0f, 0f);
            float[] all = model.hiddenStates();
            int row = T * 24;
            model.forward(slice(whole, 4, 2), 7, 3, 4, 0f, 0f);
            float[] part = model.hiddenStates();
            for (int i = 0; i < 2 * row; i++) {
                assertEquals(all[4 * row + i], part[i], 1e-6f, "sequences 4 and 5 alone, element " + i);
            }
            model.forward(slice(whole, 4, 2), 7, 3, 0, 0f, 0f);
            float[] asFirst = model.hiddenStates();
            double differ = 0;
            for (int i = 0; i < 2 * row; i++) differ = Math.max(differ, Math.abs(asFirst[i] - part[i]));
            assertTrue(
                    differ > 1e-2, "the same rows as sequences 0 and 1 draw other masks, largest difference " + differ);
        }
    }

    // ---------------------------------------------------------------- the runs

    private record Run(float[][] weights, List<StepMetrics> metrics) {}

    /** STEPS steps of `replicas` threads, each with its own model, summing through {@link InOrderSum}. */
    private static Run train(List<Batch> data, int replicas, int accumulate) throws Exception {
        int micro = B / (replicas * accumulate);
        InOrderSum sum = new InOrderSum(replicas);
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<Object[]>> futures = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (BertModel model = model(micro)) {
                        Trainer trainer = new Trainer(model, optimizer(), options(accumulate));
                        ReplicaGroup group = sum.member(rank);
                        StepMetrics last = null;
                        for (int s = 0; s < STEPS; s++)
                            last = trainer.step(mine(data.get(s), rank, replicas, accumulate), group);
                        return new Object[] {weights(model), last};
                    }
                }));
            }
            float[][] weights = new float[replicas][];
            List<StepMetrics> metrics = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                Object[] result = futures.get(r).get(120, TimeUnit.SECONDS);
                weights[r] = (float[]) result[0];
                metrics.add((StepMetrics) result[1]);
            }
            return new Run(weights, metrics);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Replica r's micro-batches of a global batch: global micro-batches r * accumulate ... */
    private static List<Batch> mine(Batch global, int r, int replicas, int accumulate) {
        int micro = B / (replicas * accumulate);
        List<Batch> out = new ArrayList<>();
        for (int m = 0; m < accumulate; m++) out.add(slice(global, (r * accumulate + m) * micro, micro));
        return out;
    }

    private static StepMetrics untimed(StepMetrics m) {
        return new StepMetrics(
                m.step(),
                m.loss(),
                m.mlmLoss(),
                m.mlmAccuracy(),
                m.sentenceLoss(),
                m.sentenceAccuracy(),
                m.learningRate(),
                m.gradientNorm(),
                m.tokens(),
                m.predictions(),
                0,
                m.skipped());
    }

    private static BertModel model(int maxBatch) {
        return Trainer.newModel(CONFIG, "cpu", 1, optimizer(), maxBatch, T, maxBatch * T, 17);
    }

    private static Optimizer optimizer() {
        // SGD with momentum: AdamW would turn rounding noise in gradients that are zero in exact
        // arithmetic (attention key biases) into full-size updates, which no tolerance could separate
        return Optimizer.named("sgd", 0.01f);
    }

    private static TrainingOptions options(int accumulate) {
        return new TrainingOptions(0.05f, 2, STEPS, accumulate, 1.0f, 99);
    }

    private static float[] initialWeights() {
        try (BertModel model = model(1)) {
            return weights(model);
        }
    }

    static float[] weights(BertModel model) {
        float[] w = new float[model.parameterCount()];
        model.backend().read(0, w, 0, w.length);
        return w;
    }

    static float[] sumInRankOrder(float[][] parts) {
        float[] sum = parts[0].clone();
        for (int r = 1; r < parts.length; r++) for (int i = 0; i < sum.length; i++) sum[i] += parts[r][i];
        return sum;
    }

    /** A replica group of threads: every member sums all members' buffers in rank order. */
    static final class InOrderSum {
        private final int size;
        private final CyclicBarrier barrier;
        private final float[][] slots;

        InOrderSum(int size) {
            this.size = size;
            this.barrier = new CyclicBarrier(size);
            this.slots = new float[size][];
        }

        ReplicaGroup member(int rank) {
            return new ReplicaGroup() {
                @Override
                public int rank() {
                    return rank;
                }

                @Override
                public int size() {
                    return size;
                }

                @Override
                public void allReduce(float[] buf, int offset, int length) throws IOException {
                    slots[rank] = Arrays.copyOfRange(buf, offset, offset + length);
                    await();
                    float[] sum = sumInRankOrder(slots);
                    System.arraycopy(sum, 0, buf, offset, length);
                    await(); // nobody overwrites a slot before everyone has read it
                }
            };
        }

        private void await() throws IOException {
            try {
                barrier.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new IOException("a replica did not arrive", e);
            }
        }
    }

    // ---------------------------------------------------------------- data

    /** STEPS global batches of B random sequences with padding, masked positions and NSP labels. */
    static List<Batch> globalBatches() {
        Random random = new Random(4);
        List<Batch> out = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            int[] ids = new int[B * T], types = new int[B * T], mask = new int[B * T], nsp = new int[B];
            List<Integer> positions = new ArrayList<>(), labels = new ArrayList<>();
            for (int b = 0; b < B; b++) {
                int real = T - random.nextInt(4), rowStart = b * T;
                for (int t = 0; t < T; t++) {
                    int i = b * T + t;
                    ids[i] = random.nextInt(V);
                    types[i] = t > T / 2 ? 1 : 0;
                    mask[i] = t < real ? 1 : 0;
                    // rows with 0 to 4 masked positions: micro-batches differ in their counts
                    if (t > 0
                            && t < real
                            && random.nextInt(4) == 0
                            && positions.stream().filter(p -> p >= rowStart).count() < 4) {
                        positions.add(i);
                        labels.add(ids[i]);
                        ids[i] = 3;
                    }
                }
                nsp[b] = random.nextInt(2);
            }
            out.add(new Batch(
                    B,
                    T,
                    ids,
                    types,
                    mask,
                    positions.stream().mapToInt(Integer::intValue).toArray(),
                    labels.stream().mapToInt(Integer::intValue).toArray(),
                    nsp));
        }
        return out;
    }

    /** Rows [from, from + count) of a batch as a batch of their own. */
    static Batch slice(Batch b, int from, int count) {
        int t = b.seqLength(), lo = from * t, hi = (from + count) * t;
        List<Integer> positions = new ArrayList<>(), labels = new ArrayList<>();
        for (int k = 0; k < b.predictions(); k++) {
            int p = b.maskedPositions()[k];
            if (p >= lo && p < hi) {
                positions.add(p - lo);
                labels.add(b.maskedLabels()[k]);
            }
        }
        return new Batch(
                count,
                t,
                Arrays.copyOfRange(b.inputIds(), lo, hi),
                Arrays.copyOfRange(b.tokenTypeIds(), lo, hi),
                Arrays.copyOfRange(b.attentionMask(), lo, hi),
                positions.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                Arrays.copyOfRange(b.sentenceLabels(), from, from + count));
    }
}
