package org.sparkbert.train.distributed;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.engine.collective.JobSecret;
import org.sparkbert.engine.collective.RingAllReduce;
import org.sparkbert.engine.loop.HeldOutEvaluation;
import org.sparkbert.engine.loop.LoopResult;
import org.sparkbert.engine.loop.Replica;
import org.sparkbert.engine.loop.ReplicaCheckpoints;
import org.sparkbert.engine.loop.RingGroup;
import org.sparkbert.engine.loop.StepFunction;
import org.sparkbert.engine.loop.StepListener;
import org.sparkbert.engine.loop.StepSummary;
import org.sparkbert.engine.loop.TrainingLoop;
import org.sparkbert.train.distributed.ReplicaFactory.Indexed;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The fast path: one long-lived barrier stage of N tasks, one replica each. Ranks exchange
 * addresses through {@code BarrierTaskContext.allGather}, connect an authenticated ring, and run
 * the engine's {@link TrainingLoop} with gradients summed on the ring (rank 0 writes checkpoints
 * and metrics; all ranks pass a barrier after each checkpoint). The stage feeds a shuffle (Spark retries a failed barrier stage only when it
 * is a shuffle map stage), so when any task fails Spark restarts all of them and they resume from
 * the newest checkpoint, which rank 0 picks and every rank loads.
 */
final class RingStrategy {
    private static final Logger log = LoggerFactory.getLogger(RingStrategy.class);
    /** The job property behind setJobGroup's interruptOnCancel (SparkContext's constant is private to Spark). */
    private static final String INTERRUPT_ON_CANCEL = "spark.job.interruptOnCancel";

    private RingStrategy() {}

    static <T, R extends Replica> TrainingResult run(
            JavaSparkContext jsc,
            JavaPairRDD<Integer, Indexed<T>> byReplica,
            ReplicaFactory<T, R> factory,
            ReplicaCheckpoints<R> checkpoints,
            DistributedOptions options,
            StepListeners listeners) {
        long start = System.nanoTime();
        RingTask<T, R> task = new RingTask<>(factory, checkpoints, options, listeners, JobSecret.generate());
        jsc.setJobDescription(
                "train: " + options.replicas() + " replicas, ring all-reduce, " + options.steps() + " steps");
        // When one replica fails, Spark kills its siblings; interrupted, a sibling blocked in I/O or a
        // barrier ends at once instead of at its own timeout (and one deaf to interrupts is reaped).
        String interruptBefore = jsc.getLocalProperty(INTERRUPT_ON_CANCEL);
        jsc.setLocalProperty(INTERRUPT_ON_CANCEL, "true");
        List<ReplicaOutcome> all;
        try {
            RDD<ReplicaOutcome> outcomes =
                    byReplica.rdd().barrier().mapPartitions(task, false, ClassTag$.MODULE$.apply(ReplicaOutcome.class));
            all = outcomes.toJavaRDD().repartition(1).collect();
        } finally {
            jsc.setLocalProperty(INTERRUPT_ON_CANCEL, interruptBefore);
            jsc.setJobDescription(null);
        }
        ReplicaOutcome first = all.stream()
                .filter(o -> o.rank() == 0)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("rank 0 of the ring returned nothing"));
        if (first.attempt() > 0) {
            log.info(
                    "train: the barrier stage finished on attempt {} after resuming from step {}",
                    first.attempt(),
                    first.resumedFrom());
        }
        return new TrainingResult(
                AllReduceStrategy.RING,
                options.replicas(),
                first.weights(),
                first.steps(),
                first.resumedFrom(),
                first.attempt(),
                (System.nanoTime() - start) / 1e9);
    }

    /** The body of one barrier task: a replica's whole life. */
    static final class RingTask<T, R extends Replica>
            extends AbstractFunction1<Iterator<Tuple2<Integer, Indexed<T>>>, Iterator<ReplicaOutcome>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ReplicaFactory<T, R> factory;
        private final ReplicaCheckpoints<R> checkpoints;
        private final DistributedOptions options;
        private final JobSecret secret;
        private final StepListeners listeners;

        RingTask(
                ReplicaFactory<T, R> factory,
                ReplicaCheckpoints<R> checkpoints,
                DistributedOptions options,
                StepListeners listeners,
                JobSecret secret) {
            this.factory = factory;
            this.listeners = listeners;
            this.checkpoints = checkpoints;
            this.options = options;
            this.secret = secret;
        }

        @Override
        public Iterator<ReplicaOutcome> apply(Iterator<Tuple2<Integer, Indexed<T>>> input) {
            BarrierTaskContext context = BarrierTaskContext.get();
            int rank = context.partitionId();
            int size = size(context);
            List<Indexed<T>> records = new ArrayList<>();
            while (input.hasNext()) {
                records.add(input.next()._2());
            }
            records.sort(Comparator.comparingLong(Indexed::index));
            try (R replica = factory.open(rank, size, records);
                    RingAllReduce ring =
                            new RingAllReduce(secret, options.ring().withAttempt(context.stageAttemptNumber()));
                    StepListener listener = listeners.open("train (ring, " + size + " replicas)")) {
                ring.connect(new BarrierAddressExchange(context));
                RingGroup group = new RingGroup(ring);
                StepFunction steps = new StepFunction() {
                    @Override
                    public StepSummary step(long step) throws IOException {
                        return replica.step(step, group);
                    }

                    @Override
                    public double takeAllReduceSeconds() {
                        return group.takeSeconds();
                    }
                };
                HeldOutEvaluation evaluation = rank == 0 ? factory.evaluation() : null;
                LoopResult result = new TrainingLoop<>(
                                options.plan(), replica, checkpoints, new BarrierCoordination(context))
                        .evaluating(evaluation, options.evaluateEvery())
                        .run(steps, listener);
                if (evaluation != null) evaluation.close();
                if (rank == 0 && result.resumedFrom() > 0) {
                    log.info(
                            "train: {} replicas resumed from the checkpoint of step {} (stage attempt {})",
                            size,
                            result.resumedFrom(),
                            context.stageAttemptNumber());
                }
                ReplicaOutcome outcome = new ReplicaOutcome(
                        rank,
                        context.stageAttemptNumber(),
                        result.resumedFrom(),
                        rank == 0 ? replica.weights() : null,
                        result.steps(),
                        context.getTaskInfos()[rank].address(),
                        ProcessHandle.current().pid());
                return CollectionConverters.asScala(List.of(outcome).iterator());
            } catch (IOException e) {
                throw new UncheckedIOException("replica " + rank + " of " + size + ": " + e.getMessage(), e);
            }
        }

        private static int size(BarrierTaskContext context) {
            return context.getTaskInfos().length;
        }
    }
}
