package org.sparkbert.job;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A stage's output directory on any Hadoop FileSystem, written atomically: the stage writes into a
 * hidden sibling work directory, and only {@link #commit} renames it to the final path, after the
 * report. Until then nothing appears at the output path, and a crash leaves only the hidden work
 * directory, which no stage reads and the next run of the stage removes.
 */
public final class StageOutput {
    public enum State { ABSENT, COMPLETE_SAME, OTHER }

    private final FileSystem fs;
    private final Path finalPath;
    private final Path workPath;

    private StageOutput(FileSystem fs, Path finalPath) {
        this.fs = fs;
        this.finalPath = finalPath;
        this.workPath = new Path(finalPath.getParent(), "." + finalPath.getName() + ".inprogress-" + UUID.randomUUID());
    }

    public static StageOutput at(String output, Configuration conf) {
        try {
            Path p = new Path(output);
            FileSystem fs = p.getFileSystem(conf);
            Path qualified = fs.makeQualified(p);
            if (qualified.getParent() == null) {
                throw new UsageException("Output path " + output + " is a file-system root; give a directory below it.");
            }
            return new StageOutput(fs, qualified);
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
        return workPath;
    }

    public String workUri() {
        return workPath.toString();
    }

    /** Whether the final path is absent, holds this stage's complete output with this fingerprint, or holds something else. */
    public State state(String stage, String fingerprint) {
        try {
            if (!fs.exists(finalPath)) {
                return State.ABSENT;
            }
            JsonNode report = readReport(fs, finalPath);
            if (report != null && report.path("complete").asBoolean(false)
                    && stage.equals(report.path("stage").asText())
                    && fingerprint.equals(report.path("fingerprint").asText())) {
                return State.COMPLETE_SAME;
            }
            return State.OTHER;
        } catch (IOException e) {
            throw new UsageException("Cannot inspect output path " + finalPath + ": " + e.getMessage());
        }
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

    public void begin() {
        try {
            fs.mkdirs(workPath);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create work directory " + workPath, e);
        }
    }

    public void writeText(String relative, String text) {
        try (FSDataOutputStream out = fs.create(new Path(workPath, relative), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + relative + " under " + workPath, e);
        }
    }

    /** Writes the report into the work directory, then renames the work directory to the final path. */
    public void commit(StageReport report, boolean replaceExisting) {
        writeText(StageReport.FILE_NAME, report.toJson());
        try {
            if (fs.exists(finalPath)) {
                if (!replaceExisting) {
                    throw new IllegalStateException("Output path " + finalPath + " appeared while the job ran; not replacing it.");
                }
                fs.delete(finalPath, true);
            }
            if (!fs.rename(workPath, finalPath)) {
                throw new IOException("rename " + workPath + " -> " + finalPath + " returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the finished output into place at " + finalPath, e);
        }
    }

    /** Removes the work directory of a failed run, and leftovers of earlier crashed runs of this output. */
    public void abandon() {
        try {
            fs.delete(workPath, true);
        } catch (IOException ignored) {
            // The hidden directory is harmless: no stage reads it and the next run cleans it.
        }
    }

    public void removeStaleWorkDirectories() {
        try {
            Path parent = finalPath.getParent();
            if (!fs.exists(parent)) {
                return;
            }
            String prefix = "." + finalPath.getName() + ".inprogress-";
            for (var status : fs.listStatus(parent)) {
                if (status.getPath().getName().startsWith(prefix)) {
                    fs.delete(status.getPath(), true);
                }
            }
        } catch (IOException ignored) {
            // Best effort: stale work directories are invisible to every stage.
        }
    }

    public static URI uri(String path) {
        return new Path(path).toUri();
    }
}
