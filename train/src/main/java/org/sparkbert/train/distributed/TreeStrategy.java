package org.sparkbert.train.distributed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.engine.loop.HeldOutEvaluation;
import org.sparkbert.engine.loop.LoopResult;
import org.sparkbert.engine.loop.Replica;
import org.sparkbert.engine.loop.ReplicaCheckpoints;
import org.sparkbert.engine.loop.RunCoordination;
import org.sparkbert.engine.loop.StepFunction;
import org.sparkbert.engine.loop.StepListener;
import org.sparkbert.engine.loop.TrainingLoop;
import org.sparkbert.train.distributed.ReplicaFactory.Indexed;

/**
 * The simple strategy, as Spark MLlib trains: the driver holds the model and the optimiser; each
 * step broadcasts the weights, every partition (a replica cached in its executor JVM, over cached
 * data) computes its local gradients, a {@code treeAggregate} sums them (a null zero value and a
 * null-safe merge, so that no zero buffer is serialised into every task) and the driver applies the
 * sum. A second, small round first sums the step's statistics when the engine needs them. Failed
 * tasks are retried by Spark one by one; the driver's state never leaves the driver.
 */
final class TreeStrategy {
    private static final Logger log = LoggerFactory.getLogger(TreeStrategy.class);

    private TreeStrategy() {}

    static <T, R extends Replica> TrainingResult run(
            JavaSparkContext jsc,
            JavaPairRDD<Integer, Indexed<T>> byReplica,
            ReplicaFactory<T, R> factory,
            ReplicaCheckpoints<R> checkpoints,
            DistributedOptions options,
            StepListeners listeners)
            throws IOException {
        long start = System.nanoTime();
        String run = UUID.randomUUID().toString();
        int n = options.replicas();
        JavaRDD<Indexed<T>> records = byReplica.values().persist(StorageLevel.MEMORY_ONLY());
        int depth = Math.max(2, (int) Math.ceil(Math.log(n) / Math.log(2)));
        try (R driver = factory.open(-1, n, List.of());
                StepListener listener = listeners.open("train (tree, " + n + " replicas)")) {
            StepFunction steps = step -> {
                jsc.setJobDescription(
                        "train step " + (step + 1) + "/" + options.steps() + " (tree all-reduce, " + n + " replicas)");
                float[] statistics = new float[0];
                if (factory.needsStatistics()) {
                    statistics = records.mapPartitionsWithIndex(new Round<>(factory, run, n, step, null, null), false)
                            .treeAggregate(null, SUM, SUM, depth);
                }
                Broadcast<float[]> weights = jsc.broadcast(driver.weights());
                float[] summed = records.mapPartitionsWithIndex(
                                new Round<>(factory, run, n, step, weights, statistics), false)
                        .treeAggregate(null, SUM, SUM, depth);
                weights.destroy();
                return driver.apply(step, summed);
            };
            HeldOutEvaluation evaluation = factory.evaluation();
            LoopResult result = new TrainingLoop<>(options.plan(), driver, checkpoints, RunCoordination.alone())
                    .evaluating(evaluation, options.evaluateEvery())
                    .run(steps, listener);
            if (evaluation != null) evaluation.close();
            if (result.resumedFrom() > 0)
                log.info("train: resumed from the checkpoint of step {}", result.resumedFrom());
            return new TrainingResult(
                    AllReduceStrategy.TREE,
                    n,
                    driver.weights(),
                    result.steps(),
                    result.resumedFrom(),
                    0,
                    (System.nanoTime() - start) / 1e9);
        } finally {
            jsc.setJobDescription(null);
            records.unpersist(false);
            // Best effort: the replicas of this run go when the executors see the next run or exit.
            ExecutorReplicas.release(run);
        }
    }

    /** Sums two buffers into the first; null is the empty sum. */
    static final Function2<float[], float[], float[]> SUM = new Sum();

    private static final class Sum implements Function2<float[], float[], float[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public float[] call(float[] a, float[] b) {
            if (a == null) return b;
            if (b == null) return a;
            if (a.length != b.length) {
                throw new IllegalStateException(
                        "replicas returned buffers of " + a.length + " and " + b.length + " floats");
            }
            for (int i = 0; i < a.length; i++) a[i] += b[i];
            return a;
        }
    }

    /** One partition's part of a step: statistics (no weights given) or local gradients. */
    static final class Round<T, R extends Replica>
            implements Function2<Integer, Iterator<Indexed<T>>, Iterator<float[]>> {
        private static final long serialVersionUID = 1L;
        private final ReplicaFactory<T, R> factory;
        private final String run;
        private final int replicas;
        private final long step;
        private final Broadcast<float[]> weights;
        private final float[] statistics;

        Round(
                ReplicaFactory<T, R> factory,
                String run,
                int replicas,
                long step,
                Broadcast<float[]> weights,
                float[] statistics) {
            this.factory = factory;
            this.run = run;
            this.replicas = replicas;
            this.step = step;
            this.weights = weights;
            this.statistics = statistics;
        }

        @Override
        public Iterator<float[]> call(Integer partition, Iterator<Indexed<T>> input) {
            Replica replica = ExecutorReplicas.get(run, partition, () -> {
                List<Indexed<T>> records = new ArrayList<>();
                input.forEachRemaining(records::add);
                records.sort(Comparator.comparingLong(Indexed::index));
                return factory.open(partition, replicas, records);
            });
            if (weights == null) {
                return List.of(replica.statistics(step)).iterator();
            }
            replica.setWeights(weights.value());
            return List.of(replica.localGradients(step, statistics)).iterator();
        }
    }
}
