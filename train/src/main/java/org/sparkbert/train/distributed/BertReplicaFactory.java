package org.sparkbert.train.distributed;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.train.engine.Backend;
import org.sparkbert.train.job.BatchAssembler;
import org.sparkbert.train.job.Instance;
import org.sparkbert.train.job.ShardedBatches;
import org.sparkbert.train.loop.Trainer;
import org.sparkbert.train.loop.TrainingOptions;
import org.sparkbert.train.model.BertModel;
import org.sparkbert.train.model.ModelConfig;
import org.sparkbert.train.optim.Optimizer;

/**
 * Builds BERT replicas on the executors: the model configuration, the optimiser and the loop's
 * options travel as plain values, the masker (with its vocabulary) as it is. The data order is the
 * engine's ({@link ShardedBatches}): instance i (in id order) is in shard i mod B, and replica r of N
 * holds shards [r B/N, (r+1) B/N).
 */
public final class BertReplicaFactory implements ReplicaFactory<InstanceRecord, BertReplica> {
    private static final long serialVersionUID = 1L;

    /** The model configuration's record components (ModelConfig itself is not serialisable). */
    private final Object[] model;
    private final String backend;
    private final int threads;
    private final String optimizer;
    private final float weightDecay;
    private final float learningRate;
    private final long warmupSteps;
    private final long totalSteps;
    private final int accumulate;
    private final float clipNorm;
    private final long seed;
    private final int globalBatch;
    private final int seqLength;
    private final int maxPredictionsPerSequence;
    private final DynamicMasker masker;
    private final int padId;

    public BertReplicaFactory(ModelConfig config, String backend, int threads, String optimizer, float weightDecay,
                              TrainingOptions options, int globalBatch, int seqLength, int maxPredictionsPerSequence,
                              DynamicMasker masker, int padId) {
        this.model = components(config);
        this.backend = backend;
        this.threads = threads;
        this.optimizer = optimizer;
        this.weightDecay = weightDecay;
        this.learningRate = options.learningRate();
        this.warmupSteps = options.warmupSteps();
        this.totalSteps = options.totalSteps();
        this.accumulate = options.accumulate();
        this.clipNorm = options.clipNorm();
        this.seed = options.seed();
        this.globalBatch = globalBatch;
        this.seqLength = seqLength;
        this.maxPredictionsPerSequence = maxPredictionsPerSequence;
        this.masker = masker;
        this.padId = padId;
    }

    @Override
    public int replicaOf(long index, int replicas) {
        return (int) ((long) ShardedBatches.shard(index, globalBatch) * replicas / globalBatch);
    }

    /** The driver's replica of the tree strategy (rank -1) holds no data and a one-sequence activation buffer. */
    @Override
    public BertReplica open(int rank, int replicas, List<Indexed<InstanceRecord>> records) {
        int micro = globalBatch / replicas / accumulate;
        int rows = rank < 0 ? 1 : micro;
        Optimizer optim = Optimizer.named(optimizer, weightDecay);
        BertModel bert = Trainer.newModel(config(), Backend.create(backend, threads), optim, rows, seqLength,
                rows * maxPredictionsPerSequence, seed);
        Trainer trainer = new Trainer(bert, optim, options());
        ShardedBatches batches = rank < 0 ? null : shards(rank, replicas, records);
        return new BertReplica(bert, optimizer, optim, trainer, batches);
    }

    @Override
    public boolean needsStatistics() {
        return true;
    }

    public ModelConfig config() {
        return fromComponents(model);
    }

    public TrainingOptions options() {
        return new TrainingOptions(learningRate, warmupSteps, totalSteps, accumulate, clipNorm, seed);
    }

    public int padId() {
        return padId;
    }

    /** Replica rank's shards from its records (their global indices are the instance-id order). */
    private ShardedBatches shards(int rank, int replicas, List<Indexed<InstanceRecord>> records) {
        int perReplica = globalBatch / replicas;
        int first = rank * perReplica;
        List<List<Instance>> shards = new ArrayList<>(perReplica);
        for (int k = 0; k < perReplica; k++) shards.add(new ArrayList<>());
        for (Indexed<InstanceRecord> r : records) {
            int k = ShardedBatches.shard(r.index(), globalBatch) - first;
            if (k < 0 || k >= perReplica) {
                throw new IllegalStateException("replica " + rank + " got instance " + r.index() + " of shard " + (k + first));
            }
            shards.get(k).add(r.record().instance());
        }
        BatchAssembler assembler = new BatchAssembler(masker, padId, seqLength);
        return new ShardedBatches(first, shards, assembler, globalBatch, perReplica / accumulate, seed);
    }

    /** The record's components, in order: all boxed primitives and strings, so they serialise. */
    private static Object[] components(ModelConfig c) {
        RecordComponent[] parts = ModelConfig.class.getRecordComponents();
        Object[] values = new Object[parts.length];
        try {
            for (int k = 0; k < parts.length; k++) values[k] = parts[k].getAccessor().invoke(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the model configuration's " + e.getMessage(), e);
        }
        return values;
    }

    private static ModelConfig fromComponents(Object[] values) {
        RecordComponent[] parts = ModelConfig.class.getRecordComponents();
        Class<?>[] types = new Class<?>[parts.length];
        for (int k = 0; k < parts.length; k++) types[k] = parts[k].getType();
        try {
            return ModelConfig.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild the model configuration: " + e.getMessage(), e);
        }
    }
}
