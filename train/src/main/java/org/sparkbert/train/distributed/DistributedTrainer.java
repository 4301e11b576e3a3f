package org.sparkbert.train.distributed;

import java.io.IOException;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFunction;
import org.sparkbert.engine.loop.Replica;
import org.sparkbert.engine.loop.ReplicaCheckpoints;
import org.sparkbert.train.distributed.ReplicaFactory.Indexed;
import scala.Tuple2;

/**
 * Synchronous data-parallel training on Spark, a thin shell around an engine that knows nothing of
 * Spark (the XGBoost4J-Spark model): the records, in a fixed order, go to the replica the factory
 * assigns them (a {@link org.apache.spark.Partitioner} keyed by rank), written to the checkpoint
 * directory so that a retry does not depend on a lost executor's shuffle files ({@link
 * DurableRecords}), and the chosen strategy runs the steps ({@link RingStrategy} or {@link TreeStrategy}).
 *
 * <pre>
 *   TrainingResult r = DistributedTrainer.train(spark.sparkContext(), instancesSortedById, factory,
 *       checkpoints, DistributedOptions.of(4, AllReduceStrategy.RING, 10_000, 256, 1).withCheckpointEvery(500));
 * </pre>
 */
public final class DistributedTrainer {

    private DistributedTrainer() {}

    /**
     * Trains {@code options.steps()} steps (resuming from the newest checkpoint in {@code
     * checkpoints}, which may be null for a run without checkpoints) and returns the final weights.
     * Fails before anything starts when the cluster cannot run it.
     */
    public static <T, R extends Replica> TrainingResult train(
            SparkContext sc,
            JavaRDD<T> records,
            ReplicaFactory<T, R> factory,
            ReplicaCheckpoints<R> checkpoints,
            DistributedOptions options)
            throws IOException {
        return train(sc, records, factory, checkpoints, options, StepListeners.none());
    }

    /** As above, with the writer's steps (rank 0's, or the tree driver's) going to the listener that listeners open. */
    public static <T, R extends Replica> TrainingResult train(
            SparkContext sc,
            JavaRDD<T> records,
            ReplicaFactory<T, R> factory,
            ReplicaCheckpoints<R> checkpoints,
            DistributedOptions options,
            StepListeners listeners)
            throws IOException {
        ClusterChecks.refuseDynamicAllocation(sc.getConf(), options.strategy());
        if (options.strategy() == AllReduceStrategy.RING) {
            ClusterChecks.warnOnBarrierTimeout(sc.getConf());
            ClusterChecks.requireSlots(sc, options.replicas(), options.slotWait());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        JavaPairRDD<Integer, Indexed<T>> byReplica = DurableRecords.write(
                jsc,
                records.zipWithIndex()
                        .mapToPair(new AssignReplica<>(factory, options.replicas()))
                        .partitionBy(new ReplicaPartitioner(options.replicas())));
        try {
            return switch (options.strategy()) {
                case RING -> RingStrategy.run(jsc, byReplica, factory, checkpoints, options, listeners);
                case TREE -> TreeStrategy.run(jsc, byReplica, factory, checkpoints, options, listeners);
            };
        } finally {
            DurableRecords.delete(jsc, byReplica);
        }
    }

    private static final class AssignReplica<T> implements PairFunction<Tuple2<T, Long>, Integer, Indexed<T>> {
        private static final long serialVersionUID = 1L;
        private final ReplicaFactory<T, ?> factory;
        private final int replicas;

        AssignReplica(ReplicaFactory<T, ?> factory, int replicas) {
            this.factory = factory;
            this.replicas = replicas;
        }

        @Override
        public Tuple2<Integer, Indexed<T>> call(Tuple2<T, Long> record) {
            long index = record._2();
            return new Tuple2<>(factory.replicaOf(index, replicas), new Indexed<>(index, record._1()));
        }
    }
}
