package org.sparkbert.train.distributed;

import java.io.IOException;
import java.util.List;
import org.sparkbert.train.job.ShardedBatches;
import org.sparkbert.train.loop.ReplicaGroup;
import org.sparkbert.train.loop.StepCounts;
import org.sparkbert.train.loop.StepMetrics;
import org.sparkbert.train.loop.Trainer;
import org.sparkbert.train.model.Batch;
import org.sparkbert.train.model.BertModel;
import org.sparkbert.train.optim.Optimizer;

/** A BERT replica: the engine's model, optimiser and {@link Trainer}, over this replica's data shards. */
public final class BertReplica implements Replica {
    private final BertModel model;
    private final String optimizerName;
    private final Optimizer optimizer;
    private final Trainer trainer;
    private final ShardedBatches batches;
    private long cachedStep = -1;
    private List<Batch> cached;
    private StepMetrics lastMetrics;

    BertReplica(BertModel model, String optimizerName, Optimizer optimizer, Trainer trainer, ShardedBatches batches) {
        this.model = model;
        this.optimizerName = optimizerName;
        this.optimizer = optimizer;
        this.trainer = trainer;
        this.batches = batches;
    }

    public BertModel model() {
        return model;
    }

    public String optimizerName() {
        return optimizerName;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Trainer trainer() {
        return trainer;
    }

    /** The engine's metrics of the last step this replica ran or applied. */
    public StepMetrics lastMetrics() {
        return lastMetrics;
    }

    @Override
    public StepSummary step(long step, ReplicaGroup group) throws IOException {
        at(step);
        return summary(trainer.step(microBatches(step), group));
    }

    @Override
    public float[] statistics(long step) {
        StepCounts counts = trainer.count(microBatches(step));
        return new float[] {counts.predictions(), counts.sequences()};
    }

    @Override
    public float[] localGradients(long step, float[] summed) {
        at(step);
        StepCounts global = new StepCounts(Math.round(summed[0]), Math.round(summed[1]));
        return trainer.localGradients(microBatches(step), global, batches.firstMicroBatch());
    }

    @Override
    public StepSummary apply(long step, float[] summed) {
        at(step);
        return summary(trainer.apply(summed));
    }

    @Override
    public float[] weights() {
        float[] w = new float[model.parameterCount()];
        model.backend().read(0, w, 0, w.length);
        return w;
    }

    @Override
    public void setWeights(float[] weights) {
        if (weights.length != model.parameterCount()) {
            throw new IllegalArgumentException(weights.length + " weights for a model of " + model.parameterCount());
        }
        model.backend().write(0, weights, 0, weights.length);
    }

    @Override
    public void close() {
        model.close();
    }

    private void at(long step) {
        if (trainer.stepsDone() != step) trainer.resumeAt(step);
    }

    private List<Batch> microBatches(long step) {
        if (cachedStep != step) {
            cached = batches.microBatches(step);
            cachedStep = step;
        }
        return cached;
    }

    private StepSummary summary(StepMetrics m) {
        lastMetrics = m;
        return new StepSummary(m.step(), m.loss(), m.tokens(), m.seconds(), Double.NaN);
    }
}
