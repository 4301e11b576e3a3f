package org.sparkbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.job.StageCommand;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.engine.checkpoint.CheckpointReader;
import org.sparkbert.tokenize.instances.InstancesJob;
import org.sparkbert.train.job.C4ForTests;

class TrainJobTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @TempDir
    static Path tmp;
    private static Path vocab;
    private static Path instances;
    private static long instanceCount;
    private static int vocabSize;

    @BeforeAll
    static void instancesOfTheC4Sample() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("TrainJobTest")
                .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate();
        Path shared = Path.of(System.getProperty("sparkbert.shared.data"));
        List<String> texts = C4ForTests.documents(
                shared.resolve("c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl"), 300);
        vocab = tmp.resolve("vocab");
        C4ForTests.smallVocabulary(shared.resolve("bert"), texts, 2000, vocab);
        vocabSize = Tokenizers.load(vocab.toString(), new Configuration(), null).vocabularySize();
        Path clean = tmp.resolve("clean");
        C4ForTests.writeCleanCorpus(spark, texts, clean.toString());
        instances = tmp.resolve("instances");
        assertEquals(0, StageCommand.execute(new InstancesJob(), "--master", "local[2]", "--input", clean.toString(),
                "--vocab", vocab.toString(), "--output", instances.toString(), "--objective", "nsp",
                "--max-seq-length", "64", "--seed", "5"));
        instanceCount = spark.read().parquet(instances.toString()).count();
        System.out.printf("%d instances, vocabulary of %d%n", instanceCount, vocabSize);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * BERT-tiny (MLM + NSP) on next-sentence instances that the instances stage cut from the C4
     * sample, with a small vocabulary cut from BERT's: the masked-LM loss starts at about ln V (no knowledge) and
     * must come down clearly in 300 steps, to about the entropy of the masked tokens' unigram
     * distribution (a model that learnt token frequencies reaches that entropy; a few hundred steps
     * of BERT-tiny do not get much further, and the test does not pretend they do).
     */
    @Test
    void trainingBertTinyOnC4LowersTheMaskedLmLoss() throws Exception {
        Path run = tmp.resolve("run");
        int code = StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", instances.toString(),
                "--vocab", vocab.toString(), "--model", projectRoot().resolve("conf/models/bert-tiny.conf").toString(), "--output", run.toString(),
                "--steps", "300", "--batch-size", "16", "--lr", "1e-3", "--warmup-steps", "30",
                "--max-predictions", "10", "--seed", "3", "--log-every", "50", "--threads", "2");
        assertEquals(0, code);

        List<JsonNode> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            metrics.add(JSON.readTree(line));
        }
        assertEquals(6, metrics.size());
        JsonNode first = metrics.get(0);
        JsonNode last = metrics.get(metrics.size() - 1);
        assertEquals(300, last.get("step").asLong());
        for (String key : List.of("loss", "mlm_loss", "mlm_accuracy", "nsp_loss", "nsp_accuracy", "lr",
                "tokens_per_second", "elapsed_seconds", "masked_unigram_entropy")) {
            assertTrue(last.has(key), key);
        }
        double initial = Math.log(vocabSize);
        System.out.printf("MLM loss: first interval %.3f, last %.3f (ln V %.3f, masked unigram entropy %.3f)%n",
                first.get("mlm_loss").asDouble(), last.get("mlm_loss").asDouble(), initial,
                last.get("masked_unigram_entropy").asDouble());
        double mlm = last.get("mlm_loss").asDouble();
        // An untrained model predicts uniformly: ln V. Measured here: 6.90 over steps 1-50, 6.11 over 251-300
        // (ln V 7.63, unigram entropy of the masked tokens 6.13); the bounds leave about 0.3 nats of slack.
        assertTrue(mlm < initial - 1.2, "MLM loss after 300 steps " + mlm + ", untrained ln V = " + initial);
        assertTrue(mlm < last.get("masked_unigram_entropy").asDouble() + 0.3,
                "the model learnt at least the token frequencies: " + mlm + " vs " + last.get("masked_unigram_entropy"));
        assertTrue(mlm < first.get("mlm_loss").asDouble() - 0.5, "loss fell from the first interval to the last");
        assertTrue(last.get("mlm_accuracy").asDouble() > first.get("mlm_accuracy").asDouble());

        JsonNode report = JSON.readTree(run.resolve("_REPORT.json").toFile());
        assertEquals("checkpoints/step-000300", report.path("checkpoint").asText(), report.toString());
        FileSystem fs = FileSystem.getLocal(new Configuration());
        CheckpointReader.Loaded checkpoint = CheckpointReader.read(fs,
                new org.apache.hadoop.fs.Path(run.resolve("checkpoints/step-000300").toUri()));
        assertEquals("nsp", checkpoint.model().objective());
        assertEquals(vocabSize, checkpoint.model().vocabSize());
        Set<String> names = new TreeSet<>(checkpoint.weights().keySet());
        assertTrue(names.contains("bert.encoder.layer.1.output.LayerNorm.weight"), names.toString());
        assertTrue(names.contains("cls.seq_relationship.weight"));
        assertTrue(Files.exists(run.resolve("checkpoints/step-000300/vocab.txt")));
    }

    @Test
    void refusesBadInputsBeforeWriting() throws Exception {
        Path run = tmp.resolve("bad-run");
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", tmp.resolve("nothing").toString(),
                "--vocab", vocab.toString(), "--model", "bert-tiny", "--output", run.toString(), "--steps", "1"));
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", instances.toString(),
                "--vocab", vocab.toString(), "--model", "no-such-model", "--output", run.toString(), "--steps", "1"));
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", instances.toString(),
                "--vocab", vocab.toString(), "--model", "bert-tiny", "--output", run.toString(), "--steps", "10",
                "--batch-size", "10", "--accumulate", "3"));
        // Instances without the label column (objective mlm) cannot train an nsp model.
        Path unlabeled = tmp.resolve("unlabeled");
        spark.read().parquet(instances.toString()).drop("label").write().parquet(unlabeled.toString());
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", unlabeled.toString(),
                "--vocab", vocab.toString(), "--model", "bert-tiny", "--output", run.toString(), "--steps", "1"));
        assertFalse(Files.exists(run.resolve("_REPORT.json")));
        assertTrue(instanceCount > 100);
    }

    /**
     * --checkpoint-every 4 of 8 steps writes step 4 and step 8. A run that crashed after its step-4
     * checkpoint (and while writing a newer one, left truncated) leaves them in the hidden
     * .RUN.checkpoints; rerunning the same command resumes from step 4, skips the damaged one, and
     * ends with the very same step-8 checkpoint: weights, optimiser moments and trainer state, file
     * for file (the manifests' SHA-256 are equal).
     */
    @Test
    void aRerunAfterACrashResumesFromTheNewestCheckpointAndEndsBitIdentical() throws Exception {
        Path run = tmp.resolve("periodic");
        assertEquals(0, StageCommand.execute(new TrainJob(), shortRun(run, "1e-3")));
        assertEquals(List.of("step-000004", "step-000008"), listing(run.resolve("checkpoints")));
        assertFalse(Files.exists(tmp.resolve(".periodic.checkpoints")), "the in-progress directory became checkpoints/");
        JsonNode state = JSON.readTree(run.resolve("checkpoints/step-000004/trainer_state.json").toFile());
        assertEquals(4, state.get("step").asLong());
        assertEquals("0.001", state.path("config").path("lr").asText());
        assertTrue(Files.exists(run.resolve("checkpoints/step-000004/optimizer.safetensors")));

        Path crashed = tmp.resolve("crashed");
        Path progress = tmp.resolve(".crashed.checkpoints");
        copyTree(run.resolve("checkpoints/step-000004"), progress.resolve("step-000004"));
        copyTree(run.resolve("checkpoints/step-000008"), progress.resolve("step-000006"));
        Path weights = progress.resolve("step-000006/model.safetensors");
        Files.write(weights, java.util.Arrays.copyOf(Files.readAllBytes(weights), 1000));
        List<String> before = Files.readAllLines(run.resolve("metrics.jsonl"));
        Files.write(progress.resolve("metrics.jsonl"), before); // records of steps 4 and 8, as a crash after step 8 leaves them
        assertEquals(0, StageCommand.execute(new TrainJob(), shortRun(crashed, "1e-3")));
        List<String> after = Files.readAllLines(crashed.resolve("metrics.jsonl"));
        assertEquals(2, after.size(), after.toString());
        assertEquals(before.get(0), after.get(0), "the record of step 4, before the resume point, is kept as it was");
        assertEquals(8, JSON.readTree(after.get(1)).get("step").asLong(), "step 8's record is written anew");
        JsonNode report = JSON.readTree(crashed.resolve("_REPORT.json").toFile());
        assertEquals(4, report.path("resumed_at_step").asLong(), report.toString());
        assertEquals(List.of("step-000004", "step-000008"), listing(crashed.resolve("checkpoints")));
        assertEquals(Files.readString(run.resolve("checkpoints/step-000008/manifest.sha256")),
                Files.readString(crashed.resolve("checkpoints/step-000008/manifest.sha256")));
        assertFalse(Files.exists(progress));
    }

    @Test
    void refusesToResumeFromACheckpointOfOtherSettingsOrACorruptOne() throws Exception {
        Path first = tmp.resolve("first");
        assertEquals(0, StageCommand.execute(new TrainJob(), shortRun(first, "1e-3")));
        Path other = tmp.resolve("other");
        copyTree(first.resolve("checkpoints/step-000004"), tmp.resolve(".other.checkpoints/step-000004"));
        String[] refusal = {""};
        int code = withStderr(refusal, () -> StageCommand.execute(new TrainJob(), shortRun(other, "2e-3")));
        assertEquals(2, code);
        assertTrue(refusal[0].contains("was trained with lr = 0.001, this run has lr = 0.002"), refusal[0]);
        assertTrue(refusal[0].contains(".other.checkpoints/step-000004"), refusal[0]);
        assertFalse(Files.exists(other));
        assertTrue(Files.exists(tmp.resolve(".other.checkpoints/step-000004")), "a refused run deletes no checkpoint");

        Path corrupt = tmp.resolve("corrupt-checkpoint");
        copyTree(first.resolve("checkpoints/step-000004"), corrupt);
        Path moments = corrupt.resolve("optimizer.safetensors");
        byte[] bytes = Files.readAllBytes(moments);
        bytes[bytes.length - 1] ^= 1;
        Files.write(moments, bytes);
        String[] message = {""};
        List<String> args = new ArrayList<>(List.of(shortRun(tmp.resolve("from-corrupt"), "1e-3")));
        args.addAll(List.of("--resume", corrupt.toString()));
        assertEquals(2, withStderr(message, () -> StageCommand.execute(new TrainJob(), args.toArray(String[]::new))));
        assertTrue(message[0].contains("--resume " + corrupt) && message[0].contains("optimizer.safetensors has SHA-256"),
                message[0]);
    }

    /**
     * A finished 8-step run continued to 12 steps with --resume PATH --steps 12: it resumes at step 8
     * with the learning-rate schedule of 12 steps (Hugging Face's get_linear_schedule_with_warmup
     * with 2 warm-up steps: peak x (12 - i) / (12 - 2) at update i), where the 8-step schedule had
     * reached 0; a smaller --steps or another warm-up is still refused.
     */
    @Test
    void aLargerStepsContinuesAFinishedRunWithTheScheduleOfTheNewTotal() throws Exception {
        Path finished = tmp.resolve("finished");
        assertEquals(0, StageCommand.execute(new TrainJob(), shortRun(finished, "1e-3")));
        String last = finished.resolve("checkpoints/step-000008").toString();

        Path longer = tmp.resolve("longer");
        assertEquals(0, StageCommand.execute(new TrainJob(), withOptions(shortRun(longer, "1e-3"),
                "--steps", "12", "--resume", last)));
        JsonNode report = JSON.readTree(longer.resolve("_REPORT.json").toFile());
        assertEquals(8, report.path("resumed_at_step").asLong(), report.toString());
        assertEquals(8, report.path("extended_from_steps").asLong(), report.toString());
        assertEquals(List.of("step-000008", "step-000012"), listing(longer.resolve("checkpoints")));
        JsonNode state = JSON.readTree(longer.resolve("checkpoints/step-000012/trainer_state.json").toFile());
        assertEquals(12, state.get("step").asLong());
        assertEquals("12", state.path("config").path("steps").asText());
        List<String> records = Files.readAllLines(longer.resolve("metrics.jsonl"));
        System.out.println("extended run's records: " + records);
        JsonNode step12 = JSON.readTree(records.get(records.size() - 1));
        assertEquals(12, step12.get("step").asLong());
        JsonNode step8 = JSON.readTree(Files.readAllLines(finished.resolve("metrics.jsonl")).get(1));
        assertEquals(8, step8.get("step").asLong());
        double update8 = 1e-3 * (8 - 7) / (8 - 2); // the finished run's last update, 0-based index 7
        double update12 = 1e-3 * (12 - 11) / (12 - 2);
        assertEquals(update8, step8.get("lr").asDouble(), 1e-9, step8.toString());
        assertEquals(update12, step12.get("lr").asDouble(), 1e-9, step12.toString());

        String[] shorter = {""};
        assertEquals(2, withStderr(shorter, () -> StageCommand.execute(new TrainJob(), withOptions(
                shortRun(tmp.resolve("shorter"), "1e-3"), "--steps", "6", "--resume", last))));
        assertTrue(shorter[0].contains("was trained with steps = 8, this run has steps = 6"), shorter[0]);
        String[] warmup = {""};
        assertEquals(2, withStderr(warmup, () -> StageCommand.execute(new TrainJob(), withOptions(
                shortRun(tmp.resolve("rewarmed"), "1e-3"), "--steps", "12", "--warmup-steps", "3", "--resume", last))));
        assertTrue(warmup[0].contains("was trained with warmup_steps = 2, this run has warmup_steps = 3"), warmup[0]);
    }

    /** {@code args} with each given option's value replaced, or the option added. */
    private static String[] withOptions(String[] args, String... options) {
        List<String> out = new ArrayList<>(List.of(args));
        for (int i = 0; i < options.length; i += 2) {
            int at = out.indexOf(options[i]);
            if (at >= 0) {
                out.set(at + 1, options[i + 1]);
            } else {
                out.add(options[i]);
                out.add(options[i + 1]);
            }
        }
        return out.toArray(String[]::new);
    }

    /** 8 steps of BERT-tiny with a checkpoint every 4. */
    private static String[] shortRun(Path output, String lr) {
        return new String[] {"--master", "local[2]", "--data", instances.toString(), "--vocab", vocab.toString(),
                "--model", projectRoot().resolve("conf/models/bert-tiny.conf").toString(), "--output", output.toString(),
                "--steps", "8", "--batch-size", "8", "--accumulate", "2", "--lr", lr, "--warmup-steps", "2",
                "--max-predictions", "10", "--seed", "7", "--log-every", "4", "--threads", "2",
                "--checkpoint-every", "4", "--keep-checkpoints", "3"};
    }

    private static List<String> listing(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static int withStderr(String[] captured, java.util.function.IntSupplier action) {
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            return action.getAsInt();
        } finally {
            System.setErr(before);
            captured[0] = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("sparkbert.project.root"));
    }

}
