package org.sparkbert.train;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.engine.checkpoint.CheckpointStore;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.checkpoint.ResumePoint;
import org.sparkbert.engine.checkpoint.TrainerState;
import org.sparkbert.engine.checkpoint.TrainingConfig;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.UsageException;
import org.sparkbert.train.job.ShardedBatches;

/**
 * Where a train run continues from, per --resume: auto (the newest checkpoint in the run's store
 * that verifies), never (none; the store is emptied) or a checkpoint directory. The choice is
 * checked against this run's configuration and data order, and left as the newest checkpoint in
 * the store, which is where the engine's loop resumes from.
 */
final class RunResume {
    private static final Logger log = LoggerFactory.getLogger(RunResume.class);

    private final String resume;
    private final ResumePoint explicit;
    private final int batchSize;

    /** explicit: the verified checkpoint of --resume PATH, else null. */
    RunResume(String resume, ResumePoint explicit, int batchSize) {
        this.resume = resume;
        this.explicit = explicit;
        this.batchSize = batchSize;
    }

    /** The verified checkpoint of --resume PATH; null for auto and never. */
    static ResumePoint explicit(String resume, Configuration conf) {
        if (resume.equals("auto") || resume.equals("never")) return null;
        try {
            Path path = new Path(StageOutput.uri(resume));
            return CheckpointStore.load(path.getFileSystem(conf), path);
        } catch (IOException e) {
            throw new UsageException("--resume " + resume + ": " + e.getMessage());
        }
    }

    /** Chooses, checks and places the checkpoint to continue from; null for a fresh run. */
    ResumePoint prepare(CheckpointStore store, TrainingConfig ours, int instanceCount) throws IOException {
        ResumePoint from = resumePoint(store, ours);
        if (from != null) {
            checkDataPosition(from, instanceCount);
            if (!from.dir().getParent().equals(store.directory())) {
                adopt(store, from);
            }
        }
        return from;
    }

    /** The checkpoint to continue from, per --resume, after checking that it continues this training. */
    private ResumePoint resumePoint(CheckpointStore store, TrainingConfig ours) throws IOException {
        if (resume.equals("never")) {
            if (!store.steps().isEmpty()) {
                log.info("train: --resume never: deleting the checkpoints of an earlier run in {}", store.directory());
            }
            store.clear();
            return null;
        }
        ResumePoint from = resume.equals("auto") ? store.latest().orElse(null) : explicit;
        if (from != null) {
            String mismatch = ours.resultMismatch(from.state().config(), "checkpoint " + from.dir());
            if (mismatch != null) {
                throw new UsageException(mismatch);
            }
        }
        // Newer checkpoints (damaged ones that latest() skipped, or those of an attempt that --resume PATH
        // does not continue) are not the training this run continues: they must not outlive it.
        store.deleteNewerThan(from == null ? 0 : from.step());
        if (from == null) {
            return null;
        }
        for (String difference : ours.informationalDifferences(from.state().config())) {
            log.warn("train: resuming from {} with a setting changed that does not decide the result ({})",
                    from.dir(), difference);
        }
        return from;
    }

    /**
     * Checks that the checkpoint's recorded data position is where this run's data order stands after
     * its step (so a checkpoint whose data went another way is an error, not a silently different run).
     */
    private void checkDataPosition(ResumePoint from, int instanceCount) {
        long[] expected = ShardedBatches.position(from.step(), batchSize, instanceCount);
        TrainerState state = from.state();
        if (state.dataEpoch() != expected[0] || state.dataPosition() != expected[1]) {
            throw new IllegalStateException(from.dir() + " stopped at pass " + state.dataEpoch() + " position "
                    + state.dataPosition() + " of the data, but " + from.step() + " steps of this run's data order end at pass "
                    + expected[0] + " position " + expected[1] + " of " + instanceCount + " instances");
        }
    }

    /**
     * --resume PATH: copies the (verified) checkpoint into the run's store, where the loop looks for
     * the newest one (the store holds none newer: {@link #resumePoint} deleted them).
     */
    private void adopt(CheckpointStore store, ResumePoint from) throws IOException {
        FileSystem fs = store.fileSystem();
        FileSystem source = from.dir().getFileSystem(fs.getConf());
        Path target = new Path(store.directory(), CheckpointWriter.directoryName(from.step()));
        Path partial = new Path(store.directory(), ".adopting-" + target.getName());
        fs.delete(partial, true);
        if (!org.apache.hadoop.fs.FileUtil.copy(source, from.dir(), fs, partial, false, fs.getConf())) {
            throw new IOException("cannot copy " + from.dir() + " to " + partial);
        }
        fs.delete(target, true);
        if (!fs.rename(partial, target)) {
            throw new IOException("cannot move " + partial + " to " + target);
        }
        log.info("train: --resume {}: copied into {} for the replicas to resume from", from.dir(), target);
    }
}
