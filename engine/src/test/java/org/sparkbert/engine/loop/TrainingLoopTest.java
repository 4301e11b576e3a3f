package org.sparkbert.engine.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.Optimizer;

/** The one loop under non-finite numbers: steps are skipped together, runs stop, checkpoints stay finite. */
class TrainingLoopTest {
    private static final int B = 8, T = 12, V = 97;
    private static final ModelConfig CONFIG =
            new ModelConfig(V, 24, 2, 4, 48, 16, 2, 0.0f, 0.0f, 1e-12f, 0.02f, false, 24, false, "nsp");

    /**
     * Two replicas sum their gradient buffers; replica 1's is poisoned with one NaN at step 3. Both
     * replicas skip that step (their weights stay as they were, bit for bit), report it as skipped,
     * and go on training in step with each other.
     */
    @Test
    void aPoisonedReplicaMakesEveryReplicaSkipTheStep() {
        List<Batch> data = GlobalBatchTest.globalBatches();
        int replicas = 2, micro = B / replicas;
        List<BertModel> models = new ArrayList<>();
        try {
            List<Trainer> trainers = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                models.add(
                        Trainer.newModel(CONFIG, "cpu", 1, Optimizer.named("adamw", 0.01f), micro, T, micro * T, 17));
                trainers.add(new Trainer(models.get(r), Optimizer.named("adamw", 0.01f), options(1e-3f, data.size())));
            }
            for (int s = 0; s < data.size(); s++) {
                float[] before = GlobalBatchTest.weights(models.get(0));
                StepCounts global = new StepCounts(0, 0, 0);
                List<List<Batch>> mine = new ArrayList<>();
                for (int r = 0; r < replicas; r++) {
                    mine.add(List.of(GlobalBatchTest.slice(data.get(s), r * micro, micro)));
                    global = global.plus(trainers.get(r).count(mine.get(r)));
                }
                float[][] parts = new float[replicas][];
                for (int r = 0; r < replicas; r++) parts[r] = trainers.get(r).localGradients(mine.get(r), global, r);
                if (s == 3) parts[1][parts[1].length / 3] = Float.NaN;
                float[] summed = GlobalBatchTest.sumInRankOrder(parts);
                for (int r = 0; r < replicas; r++) {
                    StepMetrics m = trainers.get(r).apply(summed.clone());
                    assertEquals(s == 3, m.skipped(), "step " + (s + 1) + " on replica " + r);
                    assertEquals(s + 1, m.step());
                }
                if (s == 3)
                    assertArrayEquals(
                            before, GlobalBatchTest.weights(models.get(0)), "the skipped step changed nothing");
                assertArrayEquals(GlobalBatchTest.weights(models.get(0)), GlobalBatchTest.weights(models.get(1)));
            }
            assertFalse(
                    java.util.Arrays.equals(GlobalBatchTest.weights(models.get(0)), initial()), "later steps trained");
        } finally {
            models.forEach(BertModel::close);
        }
    }

    /**
     * A learning rate of 1e30 drives the model to overflow: the loop skips the non-finite steps, stops
     * after three in a row naming them, and every checkpoint it wrote holds finite weights only.
     */
    @Test
    void aRunDrivenToOverflowStopsAndNeverCheckpointsNonFiniteWeights() throws Exception {
        List<Batch> data = GlobalBatchTest.globalBatches();
        Optimizer sgd = Optimizer.named("sgd", 0f);
        BertModel model = Trainer.newModel(CONFIG, "cpu", 1, sgd, B, T, B * T, 17);
        Trainer trainer = new Trainer(model, sgd, new TrainingOptions(1e30f, 0, 50, 1, 0f, 5));
        MemoryCheckpoints checkpoints = new MemoryCheckpoints();
        List<StepSummary> seen = new ArrayList<>();
        try (BertReplica replica = new BertReplica(model, "sgd", sgd, trainer, batches(data))) {
            TrainingLoop<BertReplica> loop =
                    new TrainingLoop<>(new RunPlan(50, 1, 1, 0, 3), replica, checkpoints, RunCoordination.alone());
            NonFiniteTrainingException e = assertThrows(
                    NonFiniteTrainingException.class,
                    () -> loop.run(StepFunction.of(replica, ReplicaGroup.single()), seen::add));
            long first = seen.stream()
                    .filter(StepSummary::skipped)
                    .findFirst()
                    .orElseThrow()
                    .step();
            assertTrue(e.getMessage().contains("steps " + first + " to " + (first + 2)), e.getMessage());
            assertEquals(first + 2, seen.get(seen.size() - 1).step(), "stopped at the third non-finite step in a row");
            assertTrue(first > 1, "the first step, at the initial weights, was finite");
        }
        assertFalse(checkpoints.saved.isEmpty());
        checkpoints.saved.forEach((step, w) -> {
            for (float x : w) assertTrue(Float.isFinite(x), "checkpoint of step " + step + " holds " + x);
        });
    }

    /**
     * --checkpoint-minutes becomes a step cadence after the calibration steps: with an interval far
     * below one step's time every step after them is checkpointed; with an hour, only the last.
     */
    @Test
    void checkpointsByTimeFollowTheCalibratedStepCadence() throws Exception {
        List<Batch> data = GlobalBatchTest.globalBatches();
        Optimizer sgd = Optimizer.named("sgd", 0f);
        BertModel model = Trainer.newModel(CONFIG, "cpu", 1, sgd, B, T, B * T, 17);
        Trainer trainer = new Trainer(model, sgd, new TrainingOptions(1e-3f, 0, 14, 1, 1f, 5));
        MemoryCheckpoints checkpoints = new MemoryCheckpoints();
        try (BertReplica replica = new BertReplica(model, "sgd", sgd, trainer, batches(data))) {
            new TrainingLoop<>(new RunPlan(14, 5, 0, 1e-10, 3), replica, checkpoints, RunCoordination.alone())
                    .run(StepFunction.of(replica, ReplicaGroup.single()), StepListener.none());
        }
        assertEquals(List.of(11L, 12L, 13L, 14L), new ArrayList<>(checkpoints.saved.keySet()));

        MemoryCheckpoints none = new MemoryCheckpoints();
        BertModel other = Trainer.newModel(CONFIG, "cpu", 1, sgd, B, T, B * T, 17);
        try (BertReplica replica = new BertReplica(
                other,
                "sgd",
                sgd,
                new Trainer(other, sgd, new TrainingOptions(1e-3f, 0, 14, 1, 1f, 5)),
                batches(data))) {
            new TrainingLoop<>(new RunPlan(14, 5, 0, 60, 3), replica, none, RunCoordination.alone())
                    .run(StepFunction.of(replica, ReplicaGroup.single()), StepListener.none());
        }
        assertEquals(
                List.of(14L),
                new ArrayList<>(none.saved.keySet()),
                "an hour's cadence leaves the final checkpoint only");
    }

    private static BatchSource batches(List<Batch> data) {
        return new BatchSource() {
            @Override
            public List<Batch> microBatches(long step) {
                return List.of(data.get((int) (step % data.size())));
            }

            @Override
            public int firstMicroBatch() {
                return 0;
            }
        };
    }

    private static TrainingOptions options(float lr, int steps) {
        return new TrainingOptions(lr, 1, steps, 1, 1.0f, 99);
    }

    private static float[] initial() {
        try (BertModel m = Trainer.newModel(CONFIG, "cpu", 1, Optimizer.named("adamw", 0.01f), 1, T, T, 17)) {
            return GlobalBatchTest.weights(m);
        }
    }

    /** Checkpoints as copies of the weights, by step. */
    private static final class MemoryCheckpoints implements ReplicaCheckpoints<BertReplica> {
        final TreeMap<Long, float[]> saved = new TreeMap<>();

        @Override
        public OptionalLong latestStep() {
            return OptionalLong.empty();
        }

        @Override
        public void restore(long step, BertReplica replica) {
            replica.setWeights(saved.get(step));
        }

        @Override
        public void save(long step, BertReplica replica) {
            saved.put(step, replica.weights());
        }
    }
}
