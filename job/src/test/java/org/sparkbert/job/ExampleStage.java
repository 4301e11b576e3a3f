package org.sparkbert.job;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A minimal real stage: writes N rows of Parquet, or fails half-way when asked to. */
@Command(name = "example")
class ExampleStage extends StageCommand {
    static int runs;
    /** When set, each run releases one permit once it has written, then waits for {@link #proceed}: lets a test hold two runs live at once. */
    static volatile Semaphore written;

    static volatile CountDownLatch proceed;

    @Option(names = "--output", required = true)
    String output;

    @Option(names = "--input")
    String input;

    @Option(names = "--fail-after-writing")
    boolean failAfterWriting;

    @Override
    protected String stageName() {
        return "example";
    }

    @Override
    protected List<String> confFiles() {
        return List.of("example-stage.properties");
    }

    @Override
    protected String outputPath() {
        return output;
    }

    @Override
    protected Map<String, Object> arguments() {
        Map<String, Object> m = new TreeMap<>();
        m.put("output", output);
        m.put("input", input);
        return m;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        if (input != null && !new java.io.File(input).exists()) {
            throw new UsageException("Input path " + input + " does not exist.");
        }
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput output, StageReport report) throws Exception {
        runs++;
        long rows = settings.integer("example.rows");
        spark.range(rows).write().parquet(new Path(output.work(), "data").toString());
        report.count("rows", rows);
        report.endPhase("write");
        if (written != null) {
            written.release();
            proceed.await();
        }
        if (failAfterWriting) {
            throw new IllegalStateException("failing on purpose after writing");
        }
    }
}
