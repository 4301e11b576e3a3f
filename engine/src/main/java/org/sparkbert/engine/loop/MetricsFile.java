package org.sparkbert.engine.loop;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * metrics.jsonl: one JSON object per line, flushed to the file system as it is written so that a
 * run can be followed while it trains. A resumed run keeps the records up to its resume step and
 * continues after them, so a crash does not cut the curve.
 */
public final class MetricsFile implements AutoCloseable {

    public static final String NAME = "metrics.jsonl";

    private final FSDataOutputStream out;

    /** A new metrics.jsonl in dir (refusing to replace one). */
    public MetricsFile(FileSystem fs, Path dir) throws IOException {
        this.out = fs.create(new Path(dir, NAME), false);
    }

    private MetricsFile(FSDataOutputStream out) {
        this.out = out;
    }

    /**
     * dir/metrics.jsonl for a run that resumes after step {@code resumedFrom}: the records of steps up
     * to it are kept (those after it belong to steps that will run again), the rest is appended.
     */
    public static MetricsFile continuing(FileSystem fs, Path dir, long resumedFrom) throws IOException {
        Path file = new Path(dir, NAME);
        List<String> kept = new ArrayList<>();
        if (fs.exists(file)) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank() && ProgressRecord.stepOf(line) <= resumedFrom) kept.add(line);
                }
            }
        }
        FSDataOutputStream out = fs.create(file, true);
        for (String line : kept) out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.hflush();
        return new MetricsFile(out);
    }

    /**
     * The last complete record of each kind in dir/metrics.jsonl, read once: training records under
     * "" and the others under their "kind" ("eval"). Empty when there is no file.
     */
    public static Map<String, JsonNode> lastByKind(FileSystem fs, Path dir) throws IOException {
        Map<String, JsonNode> last = new HashMap<>();
        Path file = new Path(dir, NAME);
        if (!fs.exists(file)) return last;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode record = ProgressRecord.parse(line);
                if (record != null) last.put(record.path("kind").asText(""), record);
            }
        }
        return last;
    }

    public void append(ProgressRecord record) throws IOException {
        append(record.toJsonLine());
    }

    public void append(HeldOutRecord record) throws IOException {
        append(record.toJsonLine());
    }

    private void append(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.hflush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
