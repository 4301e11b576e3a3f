package org.sparkbert.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageCommandTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("StageCommandTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @BeforeEach
    void resetRuns() {
        ExampleStage.runs = 0;
    }

    private int run(String... args) {
        return StageCommand.execute(new ExampleStage(), args);
    }

    @Test
    void writesOutputAndReportAtomically() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run("--output", out.toString(), "--conf", "example.rows=7"));
        JsonNode report = StageReport.parse(Files.readString(out.resolve(StageReport.FILE_NAME)));
        assertEquals("example", report.path("stage").asText());
        assertTrue(report.path("complete").asBoolean());
        assertEquals(7, report.path("counters").path("rows").asLong());
        assertEquals("7", report.path("settings").path("example.rows").asText());
        assertTrue(report.path("timings_seconds").has("write"));
        assertEquals(7, spark.read().parquet(out.resolve("data").toString()).count());
        assertNoWorkDirectories();
    }

    @Test
    void secondIdenticalRunDoesNothingAndSucceeds() {
        Path out = dir.resolve("out");
        assertEquals(0, run("--output", out.toString()));
        assertEquals(0, run("--output", out.toString()));
        assertEquals(1, ExampleStage.runs);
    }

    @Test
    void differentSettingsOnAnExistingOutputAreRefusedUnlessOverwrite() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run("--output", out.toString()));
        String before = Files.readString(out.resolve(StageReport.FILE_NAME));
        assertEquals(2, run("--output", out.toString(), "--conf", "example.rows=3"));
        assertEquals(before, Files.readString(out.resolve(StageReport.FILE_NAME)));
        assertEquals(0, run("--output", out.toString(), "--conf", "example.rows=3", "--overwrite"));
        assertEquals(3, spark.read().parquet(out.resolve("data").toString()).count());
    }

    @Test
    void foreignDirectoryIsRefused() throws Exception {
        Path out = Files.createDirectories(dir.resolve("someone-elses"));
        Files.writeString(out.resolve("precious.txt"), "keep me");
        assertEquals(2, run("--output", out.toString()));
        assertEquals("keep me", Files.readString(out.resolve("precious.txt")));
        assertEquals(0, ExampleStage.runs);
    }

    @Test
    void failedJobLeavesNothingBehind() {
        Path out = dir.resolve("out");
        assertEquals(1, run("--output", out.toString(), "--fail-after-writing"));
        assertFalse(Files.exists(out));
        assertNoWorkDirectories();
    }

    @Test
    void badArgumentsAndSettingsExitTwoWithNothingWritten() {
        Path out = dir.resolve("out");
        assertEquals(2, run("--output", out.toString(), "--conf", "example.rowz=3"));
        assertEquals(2, run("--output", out.toString(), "--conf", "example.rows=lots"));
        assertEquals(
                2,
                run(
                        "--output",
                        out.toString(),
                        "--input",
                        dir.resolve("missing").toString()));
        assertEquals(2, run("--output", out.toString(), "--no-such-option"));
        assertEquals(2, run());
        assertFalse(Files.exists(out));
        assertEquals(0, ExampleStage.runs);
    }

    @Test
    void sparkConfKeysAreNotProjectSettings() {
        Path out = dir.resolve("out");
        assertEquals(0, run("--output", out.toString(), "--conf", "spark.sql.shuffle.partitions=3"));
    }

    @Test
    void sparkKeysOfASettingsFileGoToSpark() throws Exception {
        Path file = Files.writeString(
                dir.resolve("cluster.properties"), "spark.sql.shuffle.partitions = 7\nexample.rows = 2\n");
        Path out = dir.resolve("out");
        assertEquals(0, run("--output", out.toString(), "--settings", file.toString()));
        assertEquals("7", spark.conf().get("spark.sql.shuffle.partitions"), "not dropped: Spark has it");
        assertEquals(2, spark.read().parquet(out.resolve("data").toString()).count());
        spark.conf().set("spark.sql.shuffle.partitions", "4");
    }

    @Test
    void outOfRangeSettingsExitTwoWithNothingWritten() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(2, run("--output", out.toString(), "--conf", "example.rows=99999999999"));
        assertEquals(2, run("--output", out.toString(), "--conf", "example.rows=-1"));
        Path file = Files.writeString(dir.resolve("bad.properties"), "example.ratio = 2.5\n");
        assertEquals(2, run("--output", out.toString(), "--settings", file.toString()));
        assertFalse(Files.exists(out));
        assertEquals(0, ExampleStage.runs);
    }

    private void assertNoWorkDirectories() {
        File[] left = dir.toFile().listFiles((d, name) -> name.contains(".inprogress-"));
        assertEquals(0, left == null ? 0 : left.length, () -> Arrays.toString(left));
    }
}
