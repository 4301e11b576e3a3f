package org.sparkbert.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage's output directory on any Hadoop FileSystem, committed so that no run ever takes a partial
 * output for a complete one, on object stores too (S3A, GCS), where renaming a directory copies it
 * file by file. The stage writes into a hidden sibling work directory, held by a {@link WorkLease};
 * {@link #commit} then, under a {@link CommitLock}, renames it to the final path and only afterwards
 * writes {@code _REPORT.json} there, listing every file with its size. An output counts as complete
 * only when that report is there and every listed file matches; a commit that died midway leaves its
 * lock, and the next run undoes it before looking at the output.
 *
 * <p>Hidden siblings of an output OUT, all named {@code .OUT.inprogress-*} so that nothing mistakes
 * them for outputs: {@code <run>} (a run's work directory), {@code <run>.lease}, {@code <run>.replaced}
 * (the old output during an {@code --overwrite} commit) and {@code commit} (the lock).
 */
public final class StageOutput {
    public enum State {
        ABSENT,
        COMPLETE_SAME,
        INCOMPLETE,
        OTHER
    }

    /**
     * Hadoop setting (pass it as {@code --conf spark.hadoop.sparkbert.output.lease.seconds=N}): how long
     * a run's work directory stays claimed without a heartbeat before another run may remove it.
     */
    public static final String LEASE_SECONDS_KEY = "sparkbert.output.lease.seconds";

    static final long DEFAULT_LEASE_SECONDS = 120;

    private static final Logger LOG = LoggerFactory.getLogger(StageOutput.class);
    private static final String LOCK_NAME = "commit";
    private static final String LEASE_SUFFIX = ".lease";
    private static final String REPLACED_SUFFIX = ".replaced";
    private static final long LOCK_POLL_MILLIS = 200;

    private final FileSystem fs;
    private final Path finalPath;
    private final String run;
    private final Duration leaseLength;
    private final CommitLock lock;
    private WorkLease lease;
    private String incompleteBecause;

    private StageOutput(FileSystem fs, Path finalPath, Duration leaseLength) {
        this.fs = fs;
        this.finalPath = finalPath;
        this.run = UUID.randomUUID().toString();
        this.leaseLength = leaseLength;
        this.lock = new CommitLock(fs, sibling(LOCK_NAME));
    }

    public static StageOutput at(String output, Configuration conf) {
        long leaseSeconds = conf.getLong(LEASE_SECONDS_KEY, DEFAULT_LEASE_SECONDS);
        if (leaseSeconds < 1) {
            throw new UsageException(
                    LEASE_SECONDS_KEY + " is " + leaseSeconds + "; give a number of seconds of at least 1.");
        }
        try {
            Path p = new Path(output);
            FileSystem fs = p.getFileSystem(conf);
            Path qualified = fs.makeQualified(p);
            if (qualified.getParent() == null) {
                throw new UsageException(
                        "Output path " + output + " is a file-system root; give a directory below it.");
            }
            return new StageOutput(fs, qualified, Duration.ofSeconds(leaseSeconds));
        } catch (IOException e) {
            throw new UsageException("Cannot reach the file system of output path " + output + ": " + e.getMessage());
        }
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** The final output path, fully qualified. */
    public Path path() {
        return finalPath;
    }

    /** Where the stage writes until it commits. */
    public Path work() {
        return workOf(run);
    }

    public String workUri() {
        return work().toString();
    }

    /**
     * Whether the final path is absent, holds this stage's complete output with this fingerprint, holds
     * this stage's output with this fingerprint whose files no longer match its report ({@link
     * #incompleteBecause} says how), or holds something else.
     */
    public State state(String stage, String fingerprint) {
        try {
            if (!fs.exists(finalPath)) {
                return State.ABSENT;
            }
            JsonNode report = readReportIfWhole(finalPath);
            if (report == null
                    || !report.path("complete").asBoolean(false)
                    || !stage.equals(report.path("stage").asText())
                    || !fingerprint.equals(report.path("fingerprint").asText())) {
                return State.OTHER;
            }
            incompleteBecause = filesMismatch(finalPath, report);
            return incompleteBecause == null ? State.COMPLETE_SAME : State.INCOMPLETE;
        } catch (IOException e) {
            throw new UsageException("Cannot inspect output path " + finalPath + ": " + e.getMessage());
        }
    }

    /** What the last {@link #state} call found wrong with an {@link State#INCOMPLETE} output. */
    public String incompleteBecause() {
        return incompleteBecause;
    }

    /** Reads {@code _REPORT.json} of a directory, or null when there is none. */
    public static JsonNode readReport(FileSystem fs, Path dir) throws IOException {
        Path report = new Path(dir, StageReport.FILE_NAME);
        if (!fs.exists(report)) {
            return null;
        }
        try (FSDataInputStream in = fs.open(report)) {
            return StageReport.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * Waits while a concurrent run of this output is committing, and undoes a commit that died midway
     * (its lock is left and its run's lease has lapsed), so that the output path then holds either a
     * complete output or none of this stage's making.
     */
    public void settleInterruptedCommit() {
        try {
            String owner = awaitLockFreeOrDead();
            if (owner != null) {
                LOG.warn(
                        "{}: a run that was moving its output into place stopped midway; undoing that commit.",
                        finalPath);
                if (!owner.isEmpty()) {
                    // A holder that died before naming itself had not touched the output yet.
                    undoCommit(owner);
                }
                lock.release(owner);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot undo the interrupted commit at " + finalPath + " (lock " + lock.file()
                            + "). Check the output path, then remove that lock file and rerun.",
                    e);
        }
    }

    /** Claims the work directory with a lease, then creates it. */
    public void begin() {
        try {
            lease = WorkLease.take(fs, leaseOf(run), leaseLength);
            fs.mkdirs(work());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create work directory " + work(), e);
        }
    }

    public void writeText(String relative, String text) {
        try {
            write(new Path(work(), relative), text);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + relative + " under " + work(), e);
        }
    }

    /**
     * Moves the work directory into place, replacing an existing output only if {@code replaceExisting};
     * then writes the report, listing the files, as the marker of a complete output. Returns false,
     * committing nothing, when a concurrent run has meanwhile committed this same output (same stage
     * and fingerprint) and nothing is to be replaced; the caller then {@link #abandon}s its own work.
     */
    public boolean commit(StageReport report, boolean replaceExisting) {
        String stage = String.valueOf(report.get("stage"));
        String fingerprint = String.valueOf(report.get("fingerprint"));
        try {
            report.put("files", OutputListing.of(fs, work()));
            takeLock();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the commit of " + work() + " to " + finalPath, e);
        }
        boolean touched = false;
        boolean moved = false;
        try {
            if (fs.exists(finalPath)) {
                if (!replaceExisting && state(stage, fingerprint) == State.COMPLETE_SAME) {
                    LOG.info(
                            "{}: a concurrent run committed this same output first; dropping this run's copy.",
                            finalPath);
                    lock.release(run);
                    return false;
                }
                if (!replaceExisting) {
                    throw new IllegalStateException(
                            "Output path " + finalPath + " appeared while the job ran; not replacing it.");
                }
                touched = true;
                renameOrFail(finalPath, replacedOf(run));
            }
            touched = true;
            renameOrFail(work(), finalPath);
            moved = true;
            Path partial = new Path(finalPath, "." + StageReport.FILE_NAME + ".writing");
            write(partial, report.toJson());
            renameOrFail(partial, new Path(finalPath, StageReport.FILE_NAME));
            fs.delete(replacedOf(run), true);
            lock.release(run);
        } catch (IOException | RuntimeException e) {
            rollBack(e, touched);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot move the finished output into place at " + finalPath, io);
            }
            throw (RuntimeException) e;
        } finally {
            if (moved) {
                endLease();
            }
        }
        return true;
    }

    /** Removes the work directory and lease of a failed run (or of one that lost the commit race). */
    public void abandon() {
        endLease();
        try {
            fs.delete(work(), true);
            fs.delete(leaseOf(run), false);
        } catch (IOException ignored) {
            // Harmless: no stage reads hidden siblings, and the next run removes them once the lease lapses.
        }
    }

    /**
     * Removes the leftovers of earlier runs of this output that died: work directories, leases and
     * set-aside old outputs whose run's lease has lapsed. A live run's (a concurrent one) stay, and so
     * does any other hidden sibling, such as the train stage's {@code .OUT.checkpoints}.
     */
    public void removeStaleWorkDirectories() {
        try {
            Path parent = finalPath.getParent();
            if (!fs.exists(parent)) {
                return;
            }
            String prefix = siblingPrefix();
            String lockOwner = lock.owner();
            for (FileStatus status : fs.listStatus(parent)) {
                String name = status.getPath().getName();
                if (!name.startsWith(prefix) || name.equals(prefix + LOCK_NAME)) {
                    continue;
                }
                String owner = ownerOf(name.substring(prefix.length()));
                if (owner.equals(run) || owner.equals(lockOwner) || WorkLease.isLive(fs, leaseOf(owner), leaseLength)) {
                    continue;
                }
                fs.delete(status.getPath(), true);
            }
        } catch (IOException e) {
            // Best effort: stale work directories are invisible to every stage.
            LOG.warn("Cannot remove the leftovers of earlier runs beside {}: {}", finalPath, e.toString());
        }
    }

    public static URI uri(String path) {
        return new Path(path).toUri();
    }

    private void takeLock() throws IOException {
        while (!lock.tryTake(run)) {
            settleInterruptedCommit();
        }
    }

    /** Polls while a live run holds the lock; returns the holder once its lease has lapsed, or null once the lock is free. */
    private String awaitLockFreeOrDead() throws IOException {
        boolean told = false;
        while (true) {
            String owner = lock.owner();
            if (owner == null) {
                return null;
            }
            // An empty lock is one being written: its holder is known to be alive only by the lock's own age.
            boolean live = owner.isEmpty()
                    ? WorkLease.isLive(fs, lock.file(), leaseLength)
                    : WorkLease.isLive(fs, leaseOf(owner), leaseLength);
            if (!live) {
                return owner;
            }
            if (!told) {
                LOG.info("{}: a concurrent run is moving its output into place; waiting for it.", finalPath);
                told = true;
            }
            try {
                Thread.sleep(LOCK_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for the commit lock " + lock.file(), e);
            }
        }
    }

    /**
     * Puts the output path back to a whole state after {@code owner}'s commit stopped: a complete
     * output stays; anything else there is a half-moved directory and goes, and the old output that
     * the commit had set aside comes back if it is whole.
     */
    private void undoCommit(String owner) throws IOException {
        Path replaced = replacedOf(owner);
        if (fs.exists(finalPath) && isWhole(finalPath)) {
            fs.delete(replaced, true);
            return;
        }
        fs.delete(finalPath, true);
        if (fs.exists(replaced)) {
            if (isWhole(replaced)) {
                renameOrFail(replaced, finalPath);
            } else {
                fs.delete(replaced, true);
            }
        }
    }

    /** Undoes this run's own commit after it failed; what it did not touch (a directory that appeared meanwhile) stays. */
    private void rollBack(Exception cause, boolean touched) {
        try {
            if (touched) {
                undoCommit(run);
            }
            lock.release(run);
        } catch (IOException | RuntimeException e) {
            // The lock stays, so the next run of this output finishes the undo once this run's lease lapses.
            cause.addSuppressed(e);
        }
    }

    /** Whether a directory holds a finished report whose listed files all match (any stage's). */
    private boolean isWhole(Path dir) throws IOException {
        JsonNode report = readReportIfWhole(dir);
        return report != null && report.path("complete").asBoolean(false) && filesMismatch(dir, report) == null;
    }

    /** Reports written before the listing existed were committed by atomic renames only; they are trusted as before. */
    private String filesMismatch(Path dir, JsonNode report) throws IOException {
        return report.has("files") ? OutputListing.mismatch(fs, dir, report.get("files")) : null;
    }

    /** The report, or null when there is none or it is cut short. */
    private JsonNode readReportIfWhole(Path dir) throws IOException {
        try {
            return readReport(fs, dir);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    private void endLease() {
        if (lease != null) {
            lease.close();
            lease = null;
            try {
                fs.delete(leaseOf(run), false);
            } catch (IOException ignored) {
                // An orphan lease lapses and the next run removes it.
            }
        }
    }

    private void renameOrFail(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("rename " + from + " -> " + to + " returned false");
        }
    }

    private void write(Path path, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String ownerOf(String rest) {
        if (rest.endsWith(LEASE_SUFFIX)) {
            return rest.substring(0, rest.length() - LEASE_SUFFIX.length());
        }
        if (rest.endsWith(REPLACED_SUFFIX)) {
            return rest.substring(0, rest.length() - REPLACED_SUFFIX.length());
        }
        return rest;
    }

    private String siblingPrefix() {
        return "." + finalPath.getName() + ".inprogress-";
    }

    private Path sibling(String rest) {
        return new Path(finalPath.getParent(), siblingPrefix() + rest);
    }

    private Path workOf(String owner) {
        return sibling(owner);
    }

    private Path leaseOf(String owner) {
        return sibling(owner + LEASE_SUFFIX);
    }

    private Path replacedOf(String owner) {
        return sibling(owner + REPLACED_SUFFIX);
    }
}
