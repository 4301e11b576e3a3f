package org.sparkbert.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.optim.Optimizer;

/** The checkpoint store on HDFS: keep-M pruning, and damaged checkpoints skipped on resume with a warning. */
class CheckpointStoreTest {

    @TempDir
    static java.nio.file.Path tmp;

    private static MiniDFSCluster cluster;
    private static FileSystem hdfs;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs = cluster.getFileSystem();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Test
    void keepsTheNewestMCheckpoints() throws Exception {
        CheckpointStore store = new CheckpointStore(hdfs, new Path("/keep/checkpoints"), 2);
        hdfs.mkdirs(new Path("/keep/checkpoints/.step-000020.tmp-left-by-a-crash"));
        for (long step = 10; step <= 50; step += 10) {
            save(store, step);
        }
        assertEquals(List.of(40L, 50L), store.steps());
        assertEquals(List.of("step-000040", "step-000050"), names(new Path("/keep/checkpoints")));
    }

    @Test
    void skipsTruncatedCorruptAndTemporaryCheckpointsWithAWarning() throws Exception {
        Path dir = new Path("/damaged/checkpoints");
        CheckpointStore store = new CheckpointStore(hdfs, dir, 5);
        for (long step = 10; step <= 40; step += 10) {
            save(store, step);
        }
        // step 40: truncated (a write cut short); step 30: one bit flipped; step 20 intact; a temporary directory.
        Path truncated = new Path(dir, "step-000040/" + CheckpointWriter.WEIGHTS);
        byte[] weights = read(truncated);
        write(truncated, java.util.Arrays.copyOf(weights, weights.length / 2));
        Path flipped = new Path(dir, "step-000030/" + OptimizerState.FILE);
        byte[] moments = read(flipped);
        moments[moments.length - 3] ^= 1;
        write(flipped, moments);
        hdfs.mkdirs(new Path(dir, ".step-000050.tmp-interrupted"));

        StringWriter log = new StringWriter();
        ResumePoint latest = withLog(log, () -> store.latest().orElseThrow());
        assertEquals(20, latest.step());
        assertEquals(new Path(dir, "step-000020"), Path.getPathWithoutSchemeAndAuthority(latest.dir()));
        String warnings = log.toString();
        assertTrue(
                warnings.contains("WARN skipping checkpoint " + hdfs.makeQualified(new Path(dir, "step-000040")))
                        && warnings.contains("model.safetensors has SHA-256"),
                warnings);
        assertTrue(
                warnings.contains("WARN skipping checkpoint " + hdfs.makeQualified(new Path(dir, "step-000030")))
                        && warnings.contains("optimizer.safetensors has SHA-256"),
                warnings);
        assertTrue(warnings.contains(".step-000050.tmp-interrupted: the temporary directory"), warnings);
        assertTrue(
                warnings.contains("newest complete checkpoint: " + hdfs.makeQualified(new Path(dir, "step-000020"))
                        + " (step 20)"),
                warnings);

        // Named explicitly, a damaged checkpoint is an error that names it.
        IOException explicit =
                assertThrows(IOException.class, () -> CheckpointStore.load(hdfs, new Path(dir, "step-000030")));
        assertTrue(
                explicit.getMessage().contains("checkpoint /damaged/checkpoints/step-000030 cannot be resumed from"),
                explicit.getMessage());
        IOException missing =
                assertThrows(IOException.class, () -> CheckpointStore.load(hdfs, new Path(dir, "step-000099")));
        assertTrue(missing.getMessage().contains("step-000099"), missing.getMessage());

        // A manifest missing (the write stopped before it) is incomplete: skipped as well.
        hdfs.delete(new Path(dir, "step-000020/" + CheckpointManifest.NAME), false);
        assertEquals(10, store.latest().orElseThrow().step());
        // Saving a step again replaces what an earlier attempt left there.
        save(store, 30);
        assertEquals(30, store.latest().orElseThrow().step());
    }

    @Test
    void skipsACheckpointWhoseHeaderDeclaresMoreThanItsFileHolds() throws Exception {
        Path dir = new Path("/forged/checkpoints");
        CheckpointStore store = new CheckpointStore(hdfs, dir, 5);
        save(store, 10);
        save(store, 20);
        // 8 GB declared over 100 bytes, with a manifest forged to match: the digest check passes.
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[536870912],\"data_offsets\":[0,2147483648]},"
                + "\"v\":{\"dtype\":\"F32\",\"shape\":[1610612736],\"data_offsets\":[2147483648,8589934592]}}";
        byte[] text = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] crafted = java.nio.ByteBuffer.allocate(Math.max(100, 8 + text.length))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(text.length)
                .put(text)
                .array();
        write(new Path(dir, "step-000020/" + CheckpointWriter.WEIGHTS), crafted);
        Path manifest = new Path(dir, "step-000020/" + CheckpointManifest.NAME);
        String forged = new String(read(manifest), java.nio.charset.StandardCharsets.UTF_8)
                .replaceAll(
                        "[0-9a-f]{64}  " + CheckpointWriter.WEIGHTS,
                        java.util.HexFormat.of()
                                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                                .digest(crafted))
                                + "  " + CheckpointWriter.WEIGHTS);
        write(manifest, forged.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        StringWriter log = new StringWriter();
        assertEquals(10, withLog(log, () -> store.latest().orElseThrow()).step());
        String warnings = log.toString();
        assertTrue(
                warnings.contains("WARN skipping checkpoint " + hdfs.makeQualified(new Path(dir, "step-000020")))
                        && warnings.contains("tensor 'w' spans bytes [0, 2147483648) but the file has"),
                warnings);
    }

    @Test
    void anEmptyStoreHasNoLatest() throws Exception {
        assertTrue(new CheckpointStore(hdfs, new Path("/nothing/checkpoints"), 3)
                .latest()
                .isEmpty());
    }

    @Test
    void refusesAConfigurationThatChangesTheResult() {
        TrainingConfig saved = TrainingConfig.of(Map.of("lr", 1e-3f, "seed", 1), Map.of("threads", 2));
        TrainingConfig ours = TrainingConfig.of(Map.of("lr", 2e-3f, "seed", 1), Map.of("threads", 4));
        String mismatch = ours.resultMismatch(saved, "checkpoint /x/step-000010");
        assertTrue(
                mismatch.contains("checkpoint /x/step-000010 was trained with lr = 0.001, this run has lr = 0.002"),
                mismatch);
        assertNull(TrainingConfig.of(Map.of("lr", 1e-3f, "seed", 1), Map.of()).resultMismatch(saved, "c"));
        assertEquals(List.of("threads: 2 -> 4"), ours.informationalDifferences(saved));
        String added = TrainingConfig.of(Map.of("lr", 1e-3f, "seed", 1, "replicas", 2), Map.of())
                .resultMismatch(saved, "c");
        assertTrue(added.contains("replicas = (not set), this run has replicas = 2"), added);
    }

    // ------------------------------------------------------------------------------------------

    private void save(CheckpointStore store, long step) throws IOException {
        Optimizer adamw = Optimizer.named("adamw", 0.01f);
        try (BertModel model = TrainingStates.model(adamw, step)) {
            TrainingStates.trainUntil(TrainingStates.trainer(model, adamw, 100), 1);
            store.save(
                    step, TrainingSnapshot.capture(model, "adamw", adamw, TrainingStates.state(step), 0, vocabulary()));
        }
    }

    private static Path vocabulary() throws IOException {
        java.nio.file.Path dir = tmp.resolve("vocab");
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n");
        }
        return new Path(dir.toUri().toString());
    }

    private static List<String> names(Path dir) throws IOException {
        return java.util.Arrays.stream(hdfs.listStatus(dir))
                .map(s -> s.getPath().getName())
                .sorted()
                .toList();
    }

    private static byte[] read(Path file) throws IOException {
        try (InputStream in = hdfs.open(file)) {
            return in.readAllBytes();
        }
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = hdfs.create(file, true)) {
            out.write(bytes);
        }
    }

    private interface Action<T> {
        T run() throws Exception;
    }

    /** Runs the action with CheckpointStore's log lines ("LEVEL message") copied into {@code into}. */
    private static <T> T withLog(StringWriter into, Action<T> action) throws Exception {
        Logger logger = (Logger) LogManager.getLogger(CheckpointStore.class);
        WriterAppender appender = WriterAppender.newBuilder()
                .setName("capture-" + System.nanoTime())
                .setTarget(into)
                .setLayout(
                        PatternLayout.newBuilder().withPattern("%level %msg%n").build())
                .build();
        appender.start();
        Level before = logger.getLevel();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        try {
            return action.run();
        } finally {
            logger.removeAppender(appender);
            logger.setLevel(before);
            appender.stop();
        }
    }
}
