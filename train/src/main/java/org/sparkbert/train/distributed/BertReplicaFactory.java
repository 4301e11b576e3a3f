package org.sparkbert.train.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.hub.PretrainedModel;
import org.sparkbert.engine.hub.WarmStart;
import org.sparkbert.engine.loop.BertReplica;
import org.sparkbert.engine.loop.HeldOutEvaluation;
import org.sparkbert.engine.loop.HeldOutSet;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.AdamMoments;
import org.sparkbert.engine.optim.Optimizer;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.train.job.BatchAssembler;
import org.sparkbert.train.job.Instance;
import org.sparkbert.train.job.ShardedBatches;

/**
 * Builds BERT replicas, on the executors or in the driver: the model configuration and the masker
 * (with its vocabulary) and the loop's options travel as they are, the optimiser and the backend
 * (with its --device) by name, so every replica computes where the run asked. The data order is the
 * engine's ({@link ShardedBatches}): instance i (in id order) is in shard i mod B, and replica r of N
 * holds shards [r B/N, (r+1) B/N).
 */
public final class BertReplicaFactory implements ReplicaFactory<Instance, BertReplica> {
    private static final long serialVersionUID = 1L;

    private final ModelConfig config;
    private final String backend;
    private final String device;
    private final int threads;
    private final String optimizer;
    private final float weightDecay;
    private final AdamMoments moments;
    private final TrainingOptions options;
    private final int globalBatch;
    private final int seqLength;
    private final int maxPredictionsPerSequence;
    private final DynamicMasker masker;
    private final int padId;
    /** The --init-from directory (a URI every executor reaches), or null for weights from the seed. */
    private final String initFrom;
    /** The held-out set the writing replica scores, or null for none. */
    private final HeldOutSet heldOut;

    public BertReplicaFactory(
            ModelConfig config,
            String backend,
            String device,
            int threads,
            String optimizer,
            float weightDecay,
            AdamMoments moments,
            TrainingOptions options,
            int globalBatch,
            int seqLength,
            int maxPredictionsPerSequence,
            DynamicMasker masker,
            int padId,
            String initFrom,
            HeldOutSet heldOut) {
        this.config = config;
        this.backend = backend;
        this.device = device;
        this.threads = threads;
        this.optimizer = optimizer;
        this.weightDecay = weightDecay;
        this.moments = moments;
        this.options = options;
        this.globalBatch = globalBatch;
        this.seqLength = seqLength;
        this.maxPredictionsPerSequence = maxPredictionsPerSequence;
        this.masker = masker;
        this.padId = padId;
        this.initFrom = initFrom;
        this.heldOut = heldOut;
    }

    @Override
    public int replicaOf(long index, int replicas) {
        return (int) ((long) ShardedBatches.shard(index, globalBatch) * replicas / globalBatch);
    }

    /** The driver's replica of the tree strategy (rank -1) holds no data and a one-sequence activation buffer. */
    @Override
    public BertReplica open(int rank, int replicas, List<Indexed<Instance>> records) {
        int micro = globalBatch / replicas / options.accumulate();
        int rows = rank < 0 ? 1 : micro;
        Optimizer optim = Optimizer.named(optimizer, weightDecay, moments);
        BertModel bert = Trainer.newModel(
                config,
                Backends.create(backend, device, threads),
                optim,
                rows,
                seqLength,
                rows * maxPredictionsPerSequence,
                options.seed());
        if (initFrom != null) warmStart(bert);
        Trainer trainer = new Trainer(bert, optim, options);
        ShardedBatches batches = rank < 0 ? null : shards(rank, replicas, records);
        return new BertReplica(bert, optimizer, optim, trainer, batches);
    }

    /** The held-out scoring of the writing replica: a forward-only model of its own on the run's backend. */
    @Override
    public HeldOutEvaluation evaluation() {
        return heldOut == null
                ? null
                : new HeldOutEvaluation(heldOut, config, Backends.create(backend, device, threads), globalBatch, padId);
    }

    /** --init-from: the directory's weights over the seed's (a resumed run then loads its checkpoint over them). */
    private void warmStart(BertModel bert) {
        try {
            Path dir = new Path(initFrom);
            PretrainedModel source = PretrainedModel.read(FileSystem.get(dir.toUri(), new Configuration()), dir);
            WarmStart.apply(bert, source.weights(), initFrom, name -> false);
        } catch (IOException e) {
            throw new UncheckedIOException("--init-from " + initFrom + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean needsStatistics() {
        return true;
    }

    public ModelConfig config() {
        return config;
    }

    public TrainingOptions options() {
        return options;
    }

    public int padId() {
        return padId;
    }

    /** Replica rank's shards from its records (their global indices are the instance-id order). */
    private ShardedBatches shards(int rank, int replicas, List<Indexed<Instance>> records) {
        int perReplica = globalBatch / replicas;
        int first = rank * perReplica;
        List<List<Instance>> shards = new ArrayList<>(perReplica);
        for (int k = 0; k < perReplica; k++) shards.add(new ArrayList<>());
        for (Indexed<Instance> r : records) {
            int k = ShardedBatches.shard(r.index(), globalBatch) - first;
            if (k < 0 || k >= perReplica) {
                throw new IllegalStateException(
                        "replica " + rank + " got instance " + r.index() + " of shard " + (k + first));
            }
            shards.get(k).add(r.record());
        }
        BatchAssembler assembler = new BatchAssembler(masker, padId, seqLength);
        return new ShardedBatches(
                first, shards, assembler, globalBatch, perReplica / options.accumulate(), options.seed());
    }
}
