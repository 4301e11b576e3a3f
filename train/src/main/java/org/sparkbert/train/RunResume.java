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
import org.sparkbert.engine.optim.LinearSchedule;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.UsageException;
import org.sparkbert.train.job.ShardedBatches;

/**
 * Where a train run continues from, per --resume: auto (the newest checkpoint in the run's store
 * that verifies), never (none; the store is emptied) or a checkpoint directory. The choice is
 * checked against this run's configuration and data order, and left as the newest checkpoint in
 * the store, which is where the engine's loop resumes from. A run may continue with a larger
 * --steps than the checkpoint's (extending a finished run): the learning-rate schedule is then the
 * one of the new total from the resume step on; every other result-affecting setting must match.
 */
final class RunResume {
    private static final Logger log = LoggerFactory.getLogger(RunResume.class);
    private static final String STEPS = "steps";
    private static final String WARMUP = "warmup_steps";

    private final String resume;
    private final ResumePoint explicit;
    private final int batchSize;
    private final boolean warmupDerived;

    /**
     * explicit: the verified checkpoint of --resume PATH, else null; warmupDerived: --warmup-steps was
     * not given, so it follows --steps (and may grow with it).
     */
    RunResume(String resume, ResumePoint explicit, int batchSize, boolean warmupDerived) {
        this.resume = resume;
        this.explicit = explicit;
        this.batchSize = batchSize;
        this.warmupDerived = warmupDerived;
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
            String mismatch = ours.resultMismatch(extended(from, ours), "checkpoint " + from.dir());
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
            log.warn(
                    "train: resuming from {} with a setting changed that does not decide the result ({})",
                    from.dir(),
                    difference);
        }
        return from;
    }

    /**
     * The checkpoint's configuration as this run may continue it: when this run has more steps, with
     * this run's steps, and with its warm-up where both warm-ups are the default share of their
     * steps; any other difference, a smaller --steps included, is left for resultMismatch to refuse.
     */
    private TrainingConfig extended(ResumePoint from, TrainingConfig ours) {
        TrainingConfig saved = from.state().config();
        long savedSteps = longOf(saved, STEPS);
        long steps = longOf(ours, STEPS);
        if (savedSteps < 0 || steps <= savedSteps) return saved;
        TrainingConfig continued = saved.withResult(STEPS, steps);
        long savedWarmup = longOf(saved, WARMUP);
        long warmup = longOf(ours, WARMUP);
        if (warmupDerived && savedWarmup == TrainArguments.defaultWarmup(savedSteps)) {
            continued = continued.withResult(WARMUP, warmup);
        }
        if (ours.resultMismatch(continued, "") == null) {
            LinearSchedule schedule =
                    new LinearSchedule(Float.parseFloat(ours.result().get("lr")), warmup, steps);
            log.info(
                    "train: extending the run of {} from {} to {} steps: the learning-rate schedule is recomputed for"
                            + " {} steps (warm-up {} steps, was {}), from step {} on at lr {} decaying linearly to 0 at step {}",
                    from.dir(),
                    savedSteps,
                    steps,
                    steps,
                    warmup,
                    savedWarmup,
                    from.step(),
                    schedule.rate(from.step()),
                    steps);
        }
        return continued;
    }

    private static long longOf(TrainingConfig config, String key) {
        String value = config.result().get(key);
        try {
            return value == null ? -1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
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
                    + state.dataPosition() + " of the data, but " + from.step()
                    + " steps of this run's data order end at pass "
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
