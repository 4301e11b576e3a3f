package org.sparkbert.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's claim on its work directory: a small file that a heartbeat thread rewrites every quarter
 * of the lease, so its modification time stays recent while the run lives. Another run of the same
 * output removes a work directory only once its lease is older than the lease length (or gone),
 * which is how a crashed run's leftovers are told from a concurrent run's live work. The age is read
 * from the store's modification time against this machine's clock, so clocks must agree to well
 * within the lease length.
 */
final class WorkLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkLease.class);

    private final FileSystem fs;
    private final Path file;
    private final ScheduledExecutorService heartbeat;

    private WorkLease(FileSystem fs, Path file, Duration length) {
        this.fs = fs;
        this.file = file;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease " + file.getName());
            t.setDaemon(true);
            return t;
        });
        long periodMillis = Math.max(1, length.toMillis() / 4);
        heartbeat.scheduleWithFixedDelay(this::renewQuietly, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Writes the lease now, then keeps it fresh until {@link #close}. */
    static WorkLease take(FileSystem fs, Path file, Duration length) throws IOException {
        write(fs, file);
        return new WorkLease(fs, file, length);
    }

    /** Whether {@code file} exists and was renewed less than {@code length} ago. */
    static boolean isLive(FileSystem fs, Path file, Duration length) throws IOException {
        try {
            FileStatus status = fs.getFileStatus(file);
            return System.currentTimeMillis() - status.getModificationTime() < length.toMillis();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    Path file() {
        return file;
    }

    /** Stops the heartbeat; the file stays until its owner deletes it (or it expires). */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void renewQuietly() {
        try {
            write(fs, file);
        } catch (IOException | RuntimeException e) {
            // The run goes on: should the lease lapse, another run may remove the work directory, and
            // this run's commit then fails with a clear error instead of committing a damaged output.
            LOG.warn("Cannot renew the lease {} of this run's work directory: {}", file, e.toString());
        }
    }

    private static void write(FileSystem fs, Path file) throws IOException {
        String owner = "{\"owner\": \"" + ManagementFactory.getRuntimeMXBean().getName() + "\", \"renewed\": \""
                + Instant.now() + "\"}\n";
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write(owner.getBytes(StandardCharsets.UTF_8));
        }
    }
}
