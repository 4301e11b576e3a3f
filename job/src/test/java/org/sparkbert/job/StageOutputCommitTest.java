package org.sparkbert.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits on a store without atomic directory rename ({@link CopyingRenameFileSystem}), crashes in
 * the middle of them, and concurrent runs of one output.
 */
class StageOutputCommitTest {
    private static final String FS_IMPL = "fs." + CopyingRenameFileSystem.SCHEME + ".impl";
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("StageOutputCommitTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        spark.sparkContext().hadoopConfiguration().set(FS_IMPL, CopyingRenameFileSystem.class.getName());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @BeforeEach
    void resetRuns() {
        ExampleStage.runs = 0;
    }

    @AfterEach
    void recoverStore() {
        CopyingRenameFileSystem.recover();
        ExampleStage.written = null;
        ExampleStage.proceed = null;
    }

    private static int run(String... args) {
        return StageCommand.execute(new ExampleStage(), args);
    }

    private String onCopyingStore(String name) {
        return CopyingRenameFileSystem.SCHEME + "://" + dir.resolve(name);
    }

    private int runOnCopyingStore(String output, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--output",
                output,
                "--conf",
                "spark.hadoop." + FS_IMPL + "=" + CopyingRenameFileSystem.class.getName()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void aCrashMidRenameLeavesAPartialOutputThatTheNextRunRedoes() throws Exception {
        String out = onCopyingStore("out");
        CopyingRenameFileSystem.crashWhenRenaming(".inprogress-", 1);
        assertEquals(1, runOnCopyingStore(out, "--conf", "example.rows=7"));
        assertTrue(CopyingRenameFileSystem.hasCrashed());
        CopyingRenameFileSystem.recover();

        Path partial = dir.resolve("out");
        assertEquals(1, filesUnder(partial).size(), "the crash came after one copied file");
        assertFalse(Files.exists(partial.resolve(StageReport.FILE_NAME)), "the marker is written after the rename");
        assertEquals(StageOutput.State.OTHER, stateOf(out, 7));

        // Time passes: the crashed run's lease lapses, so the next run takes over its interrupted commit.
        expireLeases();
        assertEquals(0, runOnCopyingStore(out, "--conf", "example.rows=7"));
        assertEquals(2, ExampleStage.runs, "the partial output was not taken for a complete one");
        assertEquals(StageOutput.State.COMPLETE_SAME, stateOf(out, 7));
        assertEquals(7, spark.read().parquet(partial.resolve("data").toString()).count());
        assertListingMatchesDisk(partial);
        assertNoHiddenSiblings();

        assertEquals(0, runOnCopyingStore(out, "--conf", "example.rows=7"));
        assertEquals(2, ExampleStage.runs, "a complete output is recognised");
    }

    @Test
    void aCrashWhileOverwritingBringsTheOldOutputBack() throws Exception {
        String out = onCopyingStore("out");
        assertEquals(0, runOnCopyingStore(out, "--conf", "example.rows=7"));
        CopyingRenameFileSystem.crashWhenRenaming(".inprogress-", 2);
        assertEquals(1, runOnCopyingStore(out, "--conf", "example.rows=3", "--overwrite"));
        CopyingRenameFileSystem.recover();
        assertNotEquals(StageOutput.State.COMPLETE_SAME, stateOf(out, 3));

        expireLeases();
        // Without --overwrite the next run neither accepts the half-moved new output nor replaces the old one.
        assertEquals(2, runOnCopyingStore(out, "--conf", "example.rows=3"));
        assertEquals(StageOutput.State.COMPLETE_SAME, stateOf(out, 7));
        assertEquals(7, spark.read().parquet(dir.resolve("out/data").toString()).count());
        assertFalse(hiddenSiblings().contains(".out.inprogress-commit"), "the interrupted commit was undone");

        assertEquals(0, runOnCopyingStore(out, "--conf", "example.rows=3", "--overwrite"));
        assertEquals(StageOutput.State.COMPLETE_SAME, stateOf(out, 3));
        assertEquals(3, spark.read().parquet(dir.resolve("out/data").toString()).count());
        assertNoHiddenSiblings();
    }

    @Test
    void anOutputMissingAListedFileIsNotComplete() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run("--output", out.toString()));
        Path part;
        try (Stream<Path> files = Files.list(out.resolve("data"))) {
            part = files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .findFirst()
                    .orElseThrow();
        }
        Files.delete(part);
        assertEquals(2, run("--output", out.toString()), "refused, naming the missing file");
        assertEquals(1, ExampleStage.runs);
        assertEquals(0, run("--output", out.toString(), "--overwrite"));
        assertEquals(2, ExampleStage.runs);
        assertListingMatchesDisk(out);
    }

    @Test
    void twoConcurrentRunsKeepEachOthersWorkAndOneCommits() throws Exception {
        Path out = dir.resolve("out");
        ExampleStage.written = new Semaphore(0);
        ExampleStage.proceed = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> first = pool.submit(() -> run("--output", out.toString()));
            assertTrue(ExampleStage.written.tryAcquire(60, TimeUnit.SECONDS));
            // The second run starts, cleans up stale work and writes its own while the first is live.
            Future<Integer> second = pool.submit(() -> run("--output", out.toString()));
            assertTrue(ExampleStage.written.tryAcquire(60, TimeUnit.SECONDS));
            List<String> siblings = hiddenSiblings();
            assertEquals(
                    2,
                    siblings.stream()
                            .filter(n -> !n.endsWith(".lease") && !n.endsWith(".crc"))
                            .count(),
                    () -> "both work directories are there: " + siblings);
            ExampleStage.proceed.countDown();
            assertEquals(0, first.get(60, TimeUnit.SECONDS));
            assertEquals(0, second.get(60, TimeUnit.SECONDS));
        } finally {
            ExampleStage.proceed.countDown();
            pool.shutdownNow();
        }
        assertEquals(2, ExampleStage.runs);
        assertListingMatchesDisk(out);
        assertEquals(10, spark.read().parquet(out.resolve("data").toString()).count());
        // Spark names part files after the job that wrote them: one job's files only, not a mixture.
        Set<String> jobs;
        try (Stream<Path> files = Files.list(out.resolve("data"))) {
            jobs = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("part-"))
                    .map(n -> n.substring("part-00000-".length(), "part-00000-".length() + 36))
                    .collect(Collectors.toSet());
        }
        assertEquals(1, jobs.size(), jobs::toString);
        assertNoHiddenSiblings();
    }

    @Test
    void aDeadRunsWorkIsRemovedButALiveRunsAndTrainCheckpointsStay() throws Exception {
        Path out = dir.resolve("out");
        Path dead = Files.createDirectories(dir.resolve(".out.inprogress-dead"));
        Files.writeString(dead.resolve("part"), "x");
        Files.writeString(dir.resolve(".out.inprogress-dead.lease"), "{}");
        Path live = Files.createDirectories(dir.resolve(".out.inprogress-live"));
        Files.writeString(dir.resolve(".out.inprogress-live.lease"), "{}");
        Path leaseless = Files.createDirectories(dir.resolve(".out.inprogress-noLease"));
        Path checkpoints = Files.createDirectories(dir.resolve(".out.checkpoints/step-1"));
        age(dir.resolve(".out.inprogress-dead.lease"), Duration.ofMinutes(3));

        assertEquals(0, run("--output", out.toString()));
        assertFalse(Files.exists(dead));
        assertFalse(Files.exists(dir.resolve(".out.inprogress-dead.lease")));
        assertFalse(Files.exists(leaseless), "a work directory without a lease has no live owner");
        assertTrue(Files.exists(live), "a run whose lease is fresh is alive: its work stays");
        assertTrue(Files.exists(checkpoints), "the train stage's in-progress checkpoints are not work directories");
    }

    @Test
    void aLeaseShorterThanASecondIsRefused() {
        assertEquals(
                2,
                run(
                        "--output",
                        dir.resolve("out").toString(),
                        "--conf",
                        "spark.hadoop." + StageOutput.LEASE_SECONDS_KEY + "=0"));
        assertFalse(Files.exists(dir.resolve("out")));
    }

    private StageOutput.State stateOf(String output, long rows) {
        Map<String, Object> arguments = new HashMap<>();
        arguments.put("output", output);
        arguments.put("input", null);
        Map<String, String> settings = Settings.load(
                        List.of("example-stage.properties"), null, Map.of("example.rows", Long.toString(rows)))
                .asMap();
        Configuration conf = new Configuration();
        conf.set(FS_IMPL, CopyingRenameFileSystem.class.getName());
        return StageOutput.at(output, conf).state("example", StageCommand.fingerprint("example", arguments, settings));
    }

    /** Every file the report lists is on disk with its size, and the report lists every data file. */
    private static void assertListingMatchesDisk(Path out) throws IOException {
        JsonNode listed = StageReport.parse(Files.readString(out.resolve(StageReport.FILE_NAME)))
                .path("files");
        Map<String, Long> onDisk = new HashMap<>();
        for (Path file : filesUnder(out)) {
            String name = out.relativize(file).toString();
            if (!name.equals(StageReport.FILE_NAME) && !name.endsWith(".crc")) {
                onDisk.put(name, Files.size(file));
            }
        }
        Map<String, Long> inReport = new HashMap<>();
        listed.fields()
                .forEachRemaining(e -> inReport.put(e.getKey(), e.getValue().asLong()));
        assertEquals(onDisk, inReport);
        assertTrue(inReport.keySet().stream().anyMatch(n -> n.startsWith("data/part-")), inReport::toString);
    }

    private static List<Path> filesUnder(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private void expireLeases() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path lease : files.filter(p -> p.getFileName().toString().endsWith(".lease"))
                    .toList()) {
                age(lease, Duration.ofMinutes(3));
            }
        }
    }

    private static void age(Path file, Duration by) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(by)));
    }

    private List<String> hiddenSiblings() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(".inprogress-"))
                    .toList();
        }
    }

    private void assertNoHiddenSiblings() throws IOException {
        assertEquals(List.of(), hiddenSiblings());
    }
}
