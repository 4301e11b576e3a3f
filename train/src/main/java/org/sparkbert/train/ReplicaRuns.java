package org.sparkbert.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.loop.BertReplica;
import org.sparkbert.engine.loop.HeldOutEvaluation;
import org.sparkbert.engine.loop.LoopResult;
import org.sparkbert.engine.loop.ReplicaGroup;
import org.sparkbert.engine.loop.RunCoordination;
import org.sparkbert.engine.loop.RunPlan;
import org.sparkbert.engine.loop.StepFunction;
import org.sparkbert.engine.loop.StepListener;
import org.sparkbert.engine.loop.TrainingLoop;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.train.distributed.AllReduceStrategy;
import org.sparkbert.train.distributed.BertCheckpoints;
import org.sparkbert.train.distributed.BertReplicaFactory;
import org.sparkbert.train.distributed.DistributedOptions;
import org.sparkbert.train.distributed.DistributedTrainer;
import org.sparkbert.train.distributed.RecordsDirectory;
import org.sparkbert.train.distributed.ReplicaFactory.Indexed;
import org.sparkbert.train.distributed.StepListeners;
import org.sparkbert.train.distributed.TrainingResult;
import org.sparkbert.train.job.Instance;
import org.sparkbert.train.job.InstanceTable;

/** Where a train run's replicas run the engine's loop: one in the driver, or N as Spark tasks. */
final class ReplicaRuns {
    private final BertReplicaFactory factory;
    private final BertCheckpoints checkpoints;
    private final StepListeners listeners;

    ReplicaRuns(BertReplicaFactory factory, BertCheckpoints checkpoints, StepListeners listeners) {
        this.factory = factory;
        this.checkpoints = checkpoints;
        this.listeners = listeners;
    }

    /** One replica in the driver holding every instance (in id order). */
    LoopResult inDriver(List<Instance> instances, RunPlan plan, long evaluateEvery) throws IOException {
        List<Indexed<Instance>> records = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) records.add(new Indexed<>(i, instances.get(i)));
        try (BertReplica replica = factory.open(0, 1, records);
                StepListener listener = listeners.open("train");
                HeldOutEvaluation evaluation = factory.evaluation()) {
            return new TrainingLoop<>(plan, replica, checkpoints, RunCoordination.alone())
                    .evaluating(evaluation, evaluateEvery)
                    .run(StepFunction.of(replica, ReplicaGroup.single()), listener);
        }
    }

    /** --replicas N: the ring's barrier stage or the tree strategy, each replica reading its own records. */
    LoopResult onCluster(
            SparkSession spark,
            String data,
            DistributedOptions options,
            StageReport report,
            StageOutput out,
            RingConfig ring)
            throws IOException {
        TrainingResult result;
        try (RecordsDirectory records = RecordsDirectory.beside(spark.sparkContext(), out.path(), out.fileSystem())) {
            result = DistributedTrainer.train(
                    spark.sparkContext(),
                    InstanceTable.readDistributed(spark, data, factory.config().hasSentenceTask()),
                    factory,
                    checkpoints,
                    options,
                    listeners);
        }
        report.put("replicas", options.replicas());
        report.put("allreduce", result.strategy().label());
        if (result.strategy() == AllReduceStrategy.RING)
            report.put("ring_integrity", ring.integrity().label());
        if (result.attempt() > 0) report.put("stage_attempt", result.attempt());
        return new LoopResult(
                result.resumedFrom(),
                result.steps(),
                result.steps().stream().filter(s -> s.skipped()).count());
    }
}
