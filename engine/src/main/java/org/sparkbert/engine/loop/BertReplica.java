package org.sparkbert.engine.loop;

import java.io.IOException;
import java.util.List;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.optim.Optimizer;

/** A BERT replica: the engine's model, optimiser and {@link Trainer}, over this replica's data order. */
public final class BertReplica implements Replica {
    private final BertModel model;
    private final String optimizerName;
    private final Optimizer optimizer;
    private final Trainer trainer;
    private final BatchSource batches;
    private long cachedStep = -1;
    private List<Batch> cached;
    /** The masked tokens of this replica's micro-batches, each step counted once; null for a replica without data. */
    private final MaskedTokenEntropy entropy;

    private long entropyUpTo = -1;

    /** batches is null for a replica that holds no data (the tree strategy's driver). */
    public BertReplica(
            BertModel model, String optimizerName, Optimizer optimizer, Trainer trainer, BatchSource batches) {
        this.model = model;
        this.optimizerName = optimizerName;
        this.optimizer = optimizer;
        this.trainer = trainer;
        this.batches = batches;
        this.entropy =
                batches == null ? null : new MaskedTokenEntropy(model.config().vocabSize());
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

    @Override
    public StepSummary step(long step, ReplicaGroup group) throws IOException {
        at(step);
        return summary(trainer.step(microBatches(step), group));
    }

    @Override
    public float[] statistics(long step) {
        return trainer.count(microBatches(step)).toFloats();
    }

    @Override
    public float[] localGradients(long step, float[] summed) {
        at(step);
        StepCounts global = StepCounts.ofFloats(summed);
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
            if (step > entropyUpTo) { // a retried step is not counted twice
                for (Batch b : cached) entropy.add(b.maskedLabels(), b.predictions());
                entropyUpTo = step;
            }
        }
        return cached;
    }

    /** The step's metrics, with the entropy of the masked tokens of this replica's shards trained on by this process. */
    private StepSummary summary(StepMetrics m) {
        return StepSummary.of(m, entropy == null || entropyUpTo < 0 ? Double.NaN : entropy.nats());
    }
}
