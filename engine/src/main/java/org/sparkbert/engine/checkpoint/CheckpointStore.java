package org.sparkbert.engine.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of one run, {@code DIR/step-NNNNNN/}, on any Hadoop FileSystem: {@link #save}
 * writes one atomically and keeps the newest {@code keep} complete ones; {@link #latest} finds the
 * newest one that verifies against its manifest, skipping with a warning every one that does not
 * (a temporary directory of an interrupted write, a missing manifest, a truncated or altered file),
 * so that a resumed run never starts from a damaged checkpoint.
 *
 * <p>One writer per store: in a data-parallel run, only rank 0 saves (all replicas hold the same
 * state after every step), and every rank reads {@link #latest} to resume.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{6,})");
    private static final Pattern TEMP_DIR = Pattern.compile("\\.step-(\\d{6,})\\.tmp-.*");

    private final FileSystem fs;
    private final Path dir;
    private final int keep;

    public CheckpointStore(FileSystem fs, Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least 1 checkpoint, got " + keep);
        }
        this.fs = fs;
        this.dir = fs.makeQualified(dir);
        this.keep = keep;
    }

    /**
     * Where a run writing RUN_DIR keeps its checkpoints until it succeeds: the hidden sibling
     * {@code .RUN_DIR.checkpoints}. The stage's own work directory is deleted when a run fails;
     * this one survives, so rerunning the same command resumes from it.
     */
    public static Path inProgressDirectory(Path runDir) {
        return new Path(runDir.getParent(), "." + runDir.getName() + ".checkpoints");
    }

    public Path directory() {
        return dir;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** Writes the checkpoint of {@code step} (replacing a leftover of that step), then prunes to the newest {@code keep}. */
    public Path save(long step, Checkpoint checkpoint) throws IOException {
        Path written = new CheckpointWriter(fs, dir).write(step, checkpoint, true);
        LOG.info("checkpoint of step {} written to {}", step, written);
        prune(step);
        return written;
    }

    /**
     * The newest checkpoint that is complete and verifies against its manifest, read in full; empty
     * when there is none. Every newer directory that fails is skipped with a warning naming it and why.
     */
    public Optional<ResumePoint> latest() throws IOException {
        List<Entry> entries = entries();
        for (Entry e : entries) {
            if (e.temporary) {
                LOG.warn("skipping {}: the temporary directory of an interrupted checkpoint write", e.path);
            }
        }
        for (Entry e : entries) {
            if (e.temporary) {
                continue;
            }
            try {
                ResumePoint point = ResumePoint.read(fs, e.path);
                if (point.step() != e.step) {
                    throw new IOException(e.path + ": " + TrainerState.FILE + " says step " + point.step());
                }
                LOG.info("newest complete checkpoint: {} (step {})", e.path, e.step);
                return Optional.of(point);
            } catch (IOException | RuntimeException failure) {
                // The reasons name the directory already; say it once.
                String reason = String.valueOf(failure.getMessage()).replace(e.path + ": ", "");
                LOG.warn("skipping checkpoint {}: {}", e.path, reason);
            }
        }
        LOG.info("no complete checkpoint in {}", dir);
        return Optional.empty();
    }

    /** Reads a checkpoint the user named; one that is incomplete or corrupt is an error naming it. */
    public static ResumePoint load(FileSystem fs, Path checkpoint) throws IOException {
        try {
            ResumePoint point = ResumePoint.read(fs, checkpoint);
            LOG.info("checkpoint {} (step {}) verified", checkpoint, point.step());
            return point;
        } catch (FileNotFoundException e) {
            throw new IOException(
                    "checkpoint " + checkpoint + " does not exist or is incomplete: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IOException("checkpoint " + checkpoint + " cannot be resumed from: " + e.getMessage(), e);
        }
    }

    /** The steps of the complete checkpoints (those with a manifest; not verified), oldest first. */
    public List<Long> steps() throws IOException {
        List<Long> steps = new ArrayList<>();
        for (Entry e : entries()) {
            if (!e.temporary && fs.exists(new Path(e.path, CheckpointManifest.NAME))) {
                steps.add(0, e.step);
            }
        }
        return steps;
    }

    /** Deletes every checkpoint (for a run told to start afresh). */
    public void clear() throws IOException {
        if (fs.exists(dir) && !fs.delete(dir, true)) {
            throw new IOException("cannot delete " + dir);
        }
    }

    /** Deletes the checkpoints (and temporary directories) of steps after {@code step}. */
    public void deleteNewerThan(long step) throws IOException {
        for (Entry e : entries()) {
            if (e.step > step) {
                LOG.info("deleting {}: newer than step {}, where this run continues", e.path, step);
                fs.delete(e.path, true);
            }
        }
    }

    /** Moves the whole directory to {@code target} (whose parent exists): the run's checkpoints join its output. */
    public void moveTo(Path target) throws IOException {
        if (!fs.rename(dir, target)) {
            throw new IOException("cannot move " + dir + " to " + target);
        }
    }

    /**
     * Keeps the newest {@code keep} complete checkpoints; deletes older directories, complete or
     * not, and temporary directories of steps up to {@code saved} (left by interrupted writes).
     */
    private void prune(long saved) throws IOException {
        List<Entry> entries = entries();
        int complete = 0;
        long oldestKept = Long.MAX_VALUE;
        for (Entry e : entries) {
            if (!e.temporary && complete < keep && fs.exists(new Path(e.path, CheckpointManifest.NAME))) {
                complete++;
                oldestKept = e.step;
            }
        }
        for (Entry e : entries) {
            boolean old = e.temporary ? e.step <= saved : e.step < oldestKept;
            if (old) {
                LOG.info("deleting {} (keeping the newest {} checkpoints)", e.path, keep);
                fs.delete(e.path, true);
            }
        }
    }

    private record Entry(Path path, long step, boolean temporary) {}

    /** The step and temporary directories, newest step first. */
    private List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            Matcher step = STEP_DIR.matcher(name);
            Matcher temp = TEMP_DIR.matcher(name);
            if (step.matches()) {
                out.add(new Entry(status.getPath(), Long.parseLong(step.group(1)), false));
            } else if (temp.matches()) {
                out.add(new Entry(status.getPath(), Long.parseLong(temp.group(1)), true));
            }
        }
        out.sort(Comparator.comparingLong(Entry::step).reversed().thenComparing(Entry::temporary));
        return out;
    }
}
