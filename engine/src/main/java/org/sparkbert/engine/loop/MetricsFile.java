package org.sparkbert.engine.loop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * RUN_DIR/metrics.jsonl: one JSON object per logging interval, flushed to the file system as it
 * is written so that a run can be followed (or its curve kept) while it trains.
 */
public final class MetricsFile implements AutoCloseable {

    public static final String NAME = "metrics.jsonl";

    private final FSDataOutputStream out;

    public MetricsFile(FileSystem fs, Path runDir) throws IOException {
        this.out = fs.create(new Path(runDir, NAME), false);
    }

    public void append(ProgressRecord record) throws IOException {
        out.write((record.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8));
        out.hflush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
