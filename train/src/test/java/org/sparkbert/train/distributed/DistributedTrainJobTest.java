package org.sparkbert.train.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.checkpoint.CheckpointReader;
import org.sparkbert.engine.checkpoint.StoredTensor;
import org.sparkbert.engine.tensorboard.PythonEventReader;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.train.TrainJob;
import org.sparkbert.train.job.Instance;

/** The train stage with --replicas in local mode: replicas as barrier tasks, checkpoints, the final one in RUN_DIR. */
class DistributedTrainJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static TinyBert bert;
    private static Path data;
    private static Path model;

    @BeforeAll
    static void instances() throws Exception {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("DistributedTrainJobTest")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        bert = new TinyBert();
        List<Row> rows = new ArrayList<>();
        for (Instance i : bert.instances(40, 9)) {
            rows.add(RowFactory.create(i.id(), toList(i.inputIds()), toList(i.tokenTypeIds()), i.label()));
        }
        StructType schema = new StructType()
                .add("instance_id", DataTypes.LongType)
                .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("token_type_ids", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("label", DataTypes.IntegerType);
        data = tmp.resolve("instances");
        spark.createDataFrame(rows, schema).write().parquet(data.toString());
        model = tmp.resolve("tiny.conf");
        Files.writeString(
                model,
                "hidden_size=32\nnum_hidden_layers=1\nnum_attention_heads=2\nintermediate_size=64\n"
                        + "max_position_embeddings=32\nobjective=nsp\n");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int x : a) out.add(x);
        return out;
    }

    @Test
    void twoReplicasOnTheRingWriteTheirCheckpoints() throws Exception {
        Path run = tmp.resolve("run-ring");
        int code = StageCommand.execute(
                new TrainJob(),
                "--master",
                "local[2]",
                "--data",
                data.toString(),
                "--vocab",
                bert.vocabDir.toString(),
                "--model",
                model.toString(),
                "--output",
                run.toString(),
                "--steps",
                "6",
                "--batch-size",
                "8",
                "--accumulate",
                "2",
                "--replicas",
                "2",
                "--allreduce",
                "ring",
                "--checkpoint-every",
                "3",
                "--keep-checkpoints",
                "2",
                "--max-predictions",
                "3",
                "--threads",
                "1",
                "--log-every",
                "3");
        assertEquals(0, code);
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-000006/model.safetensors")));
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-000003")));
        JsonNode report = StageOutput.readReport(
                FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(run.toUri()));
        assertEquals(2, report.path("replicas").asInt(), report.toString());
        assertEquals("checkpoints/step-000006", report.path("checkpoint").asText(), report.toString());
    }

    /**
     * The same settings in the driver (no --replicas, accumulate 2 of 4 sequences) and as 2 ring
     * replicas (accumulate 2 of 2 each) train on the same data order and the same global batches: the
     * final weights agree within 1e-5 relative, and both write metrics.jsonl with the report's keys.
     * A ring run resumed (--resume PATH) from the driver run's step-3 checkpoint ends the same too,
     * with the other ring.integrity (how gradients travel is not part of what a checkpoint must match).
     */
    @Test
    void theDriverAndTwoRingReplicasTrainTheSame() throws Exception {
        Path single = tmp.resolve("run-single");
        assertEquals(0, StageCommand.execute(new TrainJob(), sameSettings(single)));
        Path ring = tmp.resolve("run-ring-same");
        assertEquals(0, StageCommand.execute(new TrainJob(), withReplicas(sameSettings(ring))));
        double scale = assertSameWeights(single, ring);
        assertTrue(scale > 0);

        List<JsonNode> one = metrics(single), two = metrics(ring);
        assertEquals(
                List.of(3L, 6L), one.stream().map(n -> n.get("step").asLong()).toList());
        assertEquals(
                List.of(3L, 6L), two.stream().map(n -> n.get("step").asLong()).toList());
        for (int i = 0; i < 2; i++) {
            for (String key : List.of("loss", "mlm_loss", "mlm_accuracy", "nsp_loss", "nsp_accuracy", "lr")) {
                double a = one.get(i).get(key).asDouble(),
                        b = two.get(i).get(key).asDouble();
                assertEquals(a, b, 1e-4 * Math.max(1, Math.abs(a)), key + " at line " + i);
            }
            assertTrue(two.get(i).get("tokens_per_second").asDouble() > 0);
            assertTrue(two.get(i).has("elapsed_seconds"));
        }
        // Rank 0 writes the TensorBoard events in its executor task, as it writes metrics.jsonl.
        List<JsonNode> events = PythonEventReader.read(ring.resolve("tensorboard")).stream()
                .filter(e -> e.has("scalars"))
                .toList();
        assertEquals(
                List.of(3L, 6L),
                events.stream().map(e -> e.path("step").asLong()).toList());
        assertEquals(
                (float) two.get(1).get("loss").asDouble(),
                events.get(1).path("scalars").path("train/loss").floatValue());
        JsonNode report = report(ring);
        for (String key : List.of(
                "final_loss",
                "final_mlm_loss",
                "final_mlm_accuracy",
                "final_nsp_loss",
                "final_nsp_accuracy",
                "tokens_per_second",
                "masked_unigram_entropy")) {
            assertTrue(report.path(key).isNumber(), key + " in " + report);
        }
        assertEquals(
                report(single).path("final_mlm_loss").asDouble(),
                report.path("final_mlm_loss").asDouble(),
                1e-4);

        Path resumed = tmp.resolve("run-ring-resumed");
        List<String> args = new ArrayList<>(List.of(withReplicas(sameSettings(resumed))));
        args.addAll(List.of(
                "--resume",
                single.resolve("checkpoints/step-000003").toString(),
                "--conf",
                "ring.integrity=hmac-sha256"));
        assertEquals(0, StageCommand.execute(new TrainJob(), args.toArray(String[]::new)));
        assertEquals(
                3,
                report(resumed).path("resumed_at_step").asLong(),
                report(resumed).toString());
        assertEquals("crc32c", report.path("ring_integrity").asText(), report.toString());
        assertEquals(
                "hmac-sha256",
                report(resumed).path("ring_integrity").asText(),
                report(resumed).toString());
        assertEquals(
                List.of(6L),
                metrics(resumed).stream().map(n -> n.get("step").asLong()).toList());
        assertSameWeights(single, resumed);
    }

    /**
     * objective electra through the same loop: two ring replicas train a tiny ELECTRA (discriminator
     * H 32, generator H 16, factorised embeddings) to the driver's weights within 1e-5 (generator/
     * included), with the same generator and discriminator statistics in metrics.jsonl.
     */
    @Test
    void electraOnTheRingTrainsAsTheDriver() throws Exception {
        Path electra = tmp.resolve("tiny-electra.conf");
        Files.writeString(
                electra,
                "hidden_size=32\nnum_hidden_layers=1\nnum_attention_heads=2\nintermediate_size=64\n"
                        + "max_position_embeddings=32\nembedding_size=16\nobjective=electra\ngenerator_size=0.5\n");
        Path single = tmp.resolve("run-electra-single"), ring = tmp.resolve("run-electra-ring");
        assertEquals(0, StageCommand.execute(new TrainJob(), withModel(sameSettings(single), electra)));
        assertEquals(0, StageCommand.execute(new TrainJob(), withReplicas(withModel(sameSettings(ring), electra))));
        assertTrue(Files.isRegularFile(ring.resolve("checkpoints/step-000006/generator/model.safetensors")));
        assertSameWeights(single, ring);
        List<JsonNode> one = metrics(single), two = metrics(ring);
        for (int i = 0; i < 2; i++) {
            assertTrue(!two.get(i).has("nsp_loss"), "no sentence task: " + two.get(i));
            for (String key : List.of(
                    "loss",
                    "mlm_loss",
                    "mlm_accuracy",
                    "disc_loss",
                    "disc_accuracy",
                    "disc_precision",
                    "disc_recall",
                    "replaced_fraction")) {
                assertTrue(two.get(i).has(key), key + " in " + two.get(i));
                double a = one.get(i).get(key).asDouble(),
                        b = two.get(i).get(key).asDouble();
                assertEquals(a, b, 1e-4 * Math.max(1, Math.abs(a)), key + " at line " + i);
            }
            double replaced = two.get(i).get("replaced_fraction").asDouble();
            assertTrue(replaced > 0 && replaced < 0.5, "replaced fraction " + replaced);
        }
    }

    private static String[] withModel(String[] args, Path conf) {
        String[] out = args.clone();
        for (int i = 0; i < out.length - 1; i++) if (out[i].equals("--model")) out[i + 1] = conf.toString();
        return out;
    }

    /**
     * --device reaches every replica: two ring replicas on the OpenCL device named by its full name
     * (POCL's CPU device here) each log that they compute on it, and trainer_state.json records it.
     */
    @Test
    void everyReplicaComputesOnTheNamedOpenClDevice() throws Exception {
        String device =
                org.sparkbert.engine.backend.opencl.OpenClDevices.all().get(0).getName();
        List<String> chosen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger backends =
                java.util.logging.Logger.getLogger(org.sparkbert.engine.backend.Backends.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getMessage().startsWith("backend opencl on")) chosen.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        backends.addHandler(handler);
        try {
            Path run = tmp.resolve("run-opencl");
            List<String> args = new ArrayList<>(List.of(withReplicas(sameSettings(run))));
            args.addAll(List.of("--backend", "opencl", "--device", device));
            assertEquals(0, StageCommand.execute(new TrainJob(), args.toArray(String[]::new)));
            JsonNode state = JSON.readTree(
                    run.resolve("checkpoints/step-000006/trainer_state.json").toFile());
            assertEquals(device, state.path("informational").path("device").asText(), state.toString());
            assertEquals("opencl", state.path("informational").path("backend").asText(), state.toString());
        } finally {
            backends.removeHandler(handler);
        }
        // the driver's validation opens the backend once too; each of the two replicas opens its own
        assertTrue(chosen.size() >= 3, chosen.toString());
        for (String line : chosen) assertTrue(line.contains(device), line);
    }

    private static String[] sameSettings(Path run) {
        return new String[] {
            "--master",
            "local[2]",
            "--data",
            data.toString(),
            "--vocab",
            bert.vocabDir.toString(),
            "--model",
            model.toString(),
            "--output",
            run.toString(),
            "--steps",
            "6",
            "--batch-size",
            "8",
            "--accumulate",
            "2",
            "--lr",
            "1e-3",
            "--warmup-steps",
            "1",
            "--checkpoint-every",
            "3",
            "--max-predictions",
            "3",
            "--threads",
            "1",
            "--log-every",
            "3",
            "--seed",
            "11"
        };
    }

    private static String[] withReplicas(String[] args) {
        List<String> out = new ArrayList<>(List.of(args));
        out.addAll(List.of("--replicas", "2", "--allreduce", "ring"));
        return out.toArray(String[]::new);
    }

    /** Every tensor of the step-6 model.safetensors within 1e-5 of the largest weight; returns that scale. */
    private static double assertSameWeights(Path a, Path b) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Map<String, StoredTensor> x = CheckpointReader.read(
                        fs,
                        new org.apache.hadoop.fs.Path(
                                a.resolve("checkpoints/step-000006").toUri()))
                .weights();
        Map<String, StoredTensor> y = CheckpointReader.read(
                        fs,
                        new org.apache.hadoop.fs.Path(
                                b.resolve("checkpoints/step-000006").toUri()))
                .weights();
        assertEquals(x.keySet(), y.keySet());
        double scale = 0, diff = 0;
        for (String name : x.keySet()) {
            float[] u = x.get(name).floats(), v = y.get(name).floats();
            if (u == null) continue;
            assertEquals(u.length, v.length, name);
            for (int i = 0; i < u.length; i++) {
                scale = Math.max(scale, Math.abs(u[i]));
                diff = Math.max(diff, Math.abs(u[i] - v[i]));
            }
        }
        assertTrue(diff <= 1e-5 * scale, a.getFileName() + " vs " + b.getFileName() + ": " + diff + " of " + scale);
        return scale;
    }

    private static List<JsonNode> metrics(Path run) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) out.add(JSON.readTree(line));
        return out;
    }

    private static JsonNode report(Path run) throws Exception {
        return StageOutput.readReport(
                FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(run.toUri()));
    }

    @Test
    void anUnevenSplitIsAUsageError() {
        int code = StageCommand.execute(
                new TrainJob(),
                "--master",
                "local[2]",
                "--data",
                data.toString(),
                "--vocab",
                bert.vocabDir.toString(),
                "--model",
                model.toString(),
                "--output",
                tmp.resolve("run-uneven").toString(),
                "--steps",
                "2",
                "--batch-size",
                "6",
                "--accumulate",
                "2",
                "--replicas",
                "2");
        assertTrue(code != 0);
    }

    @Test
    void anUnknownRingIntegrityIsAUsageError() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = StageCommand.execute(
                    new TrainJob(),
                    "--master",
                    "local[2]",
                    "--data",
                    data.toString(),
                    "--vocab",
                    bert.vocabDir.toString(),
                    "--model",
                    model.toString(),
                    "--output",
                    tmp.resolve("run-md5").toString(),
                    "--steps",
                    "2",
                    "--batch-size",
                    "8",
                    "--replicas",
                    "2",
                    "--conf",
                    "ring.integrity=md5");
        } finally {
            System.setErr(before);
        }
        assertEquals(2, code);
        String message = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(message.contains("Setting 'ring.integrity' must be crc32c or hmac-sha256, not 'md5'"), message);
        assertFalse(Files.exists(tmp.resolve("run-md5")), "nothing written");
    }
}
