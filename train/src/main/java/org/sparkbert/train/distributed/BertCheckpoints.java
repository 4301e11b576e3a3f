package org.sparkbert.train.distributed;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.checkpoint.CheckpointStore;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.checkpoint.ResumePoint;
import org.sparkbert.engine.checkpoint.TrainerState;
import org.sparkbert.engine.checkpoint.TrainingConfig;
import org.sparkbert.engine.checkpoint.TrainingSnapshot;
import org.sparkbert.engine.loop.BertReplica;
import org.sparkbert.engine.loop.ReplicaCheckpoints;
import org.sparkbert.train.job.ShardedBatches;

/**
 * The checkpoints of a distributed BERT run in a {@link CheckpointStore} on any Hadoop FileSystem
 * (its directory a qualified URI, so that executors reach it): full training state, the newest
 * {@code keep} kept, resume from the newest that verifies.
 */
public final class BertCheckpoints implements ReplicaCheckpoints<BertReplica> {
    private static final long serialVersionUID = 1L;

    private final String dir;
    private final int keep;
    private final int padId;
    private final String vocabDir;
    private final long instances;
    private final int globalBatch;
    private final long seed;
    private final TreeMap<String, String> result;
    private final TreeMap<String, String> informational;
    /** The checkpoint {@link #latestStep()} read and verified in full, so that restoring it does not read it again. */
    private transient volatile ResumePoint found;

    /**
     * @param config what the checkpoints record of the run's configuration (TrainingConfig: the keys that
     *     decide the result, and the informational ones)
     */
    public BertCheckpoints(
            URI dir,
            int keep,
            int padId,
            String vocabDir,
            long instances,
            int globalBatch,
            long seed,
            TrainingConfig config) {
        this.dir = dir.toString();
        this.keep = keep;
        this.padId = padId;
        this.vocabDir = vocabDir;
        this.instances = instances;
        this.globalBatch = globalBatch;
        this.seed = seed;
        this.result = new TreeMap<>(config.result());
        this.informational = new TreeMap<>(config.informational());
    }

    public CheckpointStore store() throws IOException {
        Path path = new Path(dir);
        return new CheckpointStore(FileSystem.get(URI.create(dir), new Configuration()), path, keep);
    }

    @Override
    public OptionalLong latestStep() throws IOException {
        ResumePoint newest = store().latest().orElse(null);
        found = newest;
        return newest == null ? OptionalLong.empty() : OptionalLong.of(newest.step());
    }

    @Override
    public void restore(long step, BertReplica replica) throws IOException {
        ResumePoint point = found;
        found = null;
        if (point == null || point.step() != step) {
            CheckpointStore store = store();
            point = CheckpointStore.load(
                    store.fileSystem(), new Path(store.directory(), CheckpointWriter.directoryName(step)));
        }
        if (point.step() != step) {
            throw new IOException(point.dir() + " holds step " + point.step() + ", not " + step);
        }
        point.restoreInto(replica.model(), replica.optimizerName(), replica.optimizer());
        replica.trainer().resumeAt(step);
    }

    @Override
    public void save(long step, BertReplica replica) throws IOException {
        TrainerState state = ShardedBatches.state(
                step, globalBatch, instances, seed, TrainingConfig.of(Map.copyOf(result), Map.copyOf(informational)));
        store().save(
                        step,
                        TrainingSnapshot.capture(
                                replica.model(),
                                replica.optimizerName(),
                                replica.optimizer(),
                                state,
                                padId,
                                new Path(vocabDir)));
    }
}
