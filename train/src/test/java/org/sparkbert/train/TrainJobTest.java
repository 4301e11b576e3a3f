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
import org.sparkbert.engine.checkpoint.CheckpointReader;
import org.sparkbert.engine.tensorboard.PythonEventReader;
import org.sparkbert.job.StageCommand;
import org.sparkbert.tokenize.Tokenizers;
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
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("TrainJobTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        Path shared = Path.of(System.getProperty("sparkbert.shared.data"));
        List<String> texts = C4ForTests.documents(
                shared.resolve("c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl"), 300);
        vocab = tmp.resolve("vocab");
        C4ForTests.smallVocabulary(shared.resolve("bert"), texts, 2000, vocab);
        vocabSize = Tokenizers.load(vocab.toString(), new Configuration(), null).vocabularySize();
        Path clean = tmp.resolve("clean");
        C4ForTests.writeCleanCorpus(spark, texts, clean.toString());
        instances = tmp.resolve("instances");
        assertEquals(
                0,
                StageCommand.execute(
                        new InstancesJob(),
                        "--master",
                        "local[2]",
                        "--input",
                        clean.toString(),
                        "--vocab",
                        vocab.toString(),
                        "--output",
                        instances.toString(),
                        "--objective",
                        "nsp",
                        "--max-seq-length",
                        "64",
                        "--seed",
                        "5"));
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
        int code = StageCommand.execute(
                new TrainJob(),
                "--master",
                "local[2]",
                "--data",
                instances.toString(),
                "--vocab",
                vocab.toString(),
                "--model",
                projectRoot().resolve("conf/models/bert-tiny.conf").toString(),
                "--output",
                run.toString(),
                "--steps",
                "300",
                "--batch-size",
                "16",
                "--lr",
                "1e-3",
                "--warmup-steps",
                "30",
                "--max-predictions",
                "10",
                "--seed",
                "3",
                "--log-every",
                "50",
                "--threads",
                "2");
        assertEquals(0, code);

        List<JsonNode> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            metrics.add(JSON.readTree(line));
        }
        assertEquals(6, metrics.size());
        JsonNode first = metrics.get(0);
        JsonNode last = metrics.get(metrics.size() - 1);
        assertEquals(300, last.get("step").asLong());
        for (String key : List.of(
                "loss",
                "mlm_loss",
                "mlm_accuracy",
                "nsp_loss",
                "nsp_accuracy",
                "lr",
                "tokens_per_second",
                "elapsed_seconds",
                "masked_unigram_entropy")) {
            assertTrue(last.has(key), key);
        }
        double initial = Math.log(vocabSize);
        System.out.printf(
                "MLM loss: first interval %.3f, last %.3f (ln V %.3f, masked unigram entropy %.3f)%n",
                first.get("mlm_loss").asDouble(),
                last.get("mlm_loss").asDouble(),
                initial,
                last.get("masked_unigram_entropy").asDouble());
        double mlm = last.get("mlm_loss").asDouble();
        // An untrained model predicts uniformly: ln V. Measured here: 6.90 over steps 1-50, 6.11 over 251-300
        // (ln V 7.63, unigram entropy of the masked tokens 6.13); the bounds leave about 0.3 nats of slack.
        assertTrue(mlm < initial - 1.2, "MLM loss after 300 steps " + mlm + ", untrained ln V = " + initial);
        assertTrue(
                mlm < last.get("masked_unigram_entropy").asDouble() + 0.3,
                "the model learnt at least the token frequencies: " + mlm + " vs "
                        + last.get("masked_unigram_entropy"));
        assertTrue(mlm < first.get("mlm_loss").asDouble() - 0.5, "loss fell from the first interval to the last");
        assertTrue(
                last.get("mlm_accuracy").asDouble() > first.get("mlm_accuracy").asDouble());

        // TensorBoard's view of the same run, read by an independent reader: one event per metrics.jsonl record.
        List<JsonNode> scalars = new ArrayList<>();
        for (JsonNode e : PythonEventReader.read(run.resolve("tensorboard"))) if (e.has("scalars")) scalars.add(e);
        assertEquals(metrics.size(), scalars.size(), scalars.toString());
        for (int i = 0; i < metrics.size(); i++) {
            JsonNode m = metrics.get(i), t = scalars.get(i).path("scalars");
            assertEquals(m.get("step").asLong(), scalars.get(i).path("step").asLong());
            for (String[] key : new String[][] {
                {"loss", "train/loss"},
                {"mlm_loss", "train/mlm_loss"},
                {"mlm_accuracy", "train/mlm_accuracy"},
                {"nsp_loss", "train/nsp_loss"},
                {"nsp_accuracy", "train/nsp_accuracy"},
                {"lr", "train/learning_rate"},
                {"masked_unigram_entropy", "train/masked_unigram_entropy"}
            }) {
                assertEquals((float) m.get(key[0]).asDouble(), t.path(key[1]).floatValue(), key[1] + " at " + m);
            }
            assertTrue(t.path("train/tokens_per_second").floatValue() > 0);
        }
        assertFalse(Files.exists(run.resolve("checkpoints/tensorboard")));

        JsonNode report = JSON.readTree(run.resolve("_REPORT.json").toFile());
        assertEquals("checkpoints/step-000300", report.path("checkpoint").asText(), report.toString());
        FileSystem fs = FileSystem.getLocal(new Configuration());
        CheckpointReader.Loaded checkpoint = CheckpointReader.read(
                fs,
                new org.apache.hadoop.fs.Path(
                        run.resolve("checkpoints/step-000300").toUri()));
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
        assertEquals(
                2,
                StageCommand.execute(
                        new TrainJob(),
                        "--master",
                        "local[2]",
                        "--data",
                        tmp.resolve("nothing").toString(),
                        "--vocab",
                        vocab.toString(),
                        "--model",
                        "bert-tiny",
                        "--output",
                        run.toString(),
                        "--steps",
                        "1"));
        assertEquals(
                2,
                StageCommand.execute(
                        new TrainJob(),
                        "--master",
                        "local[2]",
                        "--data",
                        instances.toString(),
                        "--vocab",
                        vocab.toString(),
                        "--model",
                        "no-such-model",
                        "--output",
                        run.toString(),
                        "--steps",
                        "1"));
        assertEquals(
                2,
                StageCommand.execute(
                        new TrainJob(),
                        "--master",
                        "local[2]",
                        "--data",
                        instances.toString(),
                        "--vocab",
                        vocab.toString(),
                        "--model",
                        "bert-tiny",
                        "--output",
                        run.toString(),
                        "--steps",
                        "10",
                        "--batch-size",
                        "10",
                        "--accumulate",
                        "3"));
        assertEquals(
                2,
                StageCommand.execute(
                        new TrainJob(),
                        "--master",
                        "local[2]",
                        "--data",
                        instances.toString(),
                        "--vocab",
                        vocab.toString(),
                        "--model",
                        "bert-tiny",
                        "--output",
                        run.toString(),
                        "--steps",
                        "1",
                        "--adam-beta2",
                        "1"));
        // Instances without the label column (objective mlm) cannot train an nsp model.
        Path unlabeled = tmp.resolve("unlabeled");
        spark.read().parquet(instances.toString()).drop("label").write().parquet(unlabeled.toString());
        assertEquals(
                2,
                StageCommand.execute(
                        new TrainJob(),
                        "--master",
                        "local[2]",
                        "--data",
                        unlabeled.toString(),
                        "--vocab",
                        vocab.toString(),
                        "--model",
                        "bert-tiny",
                        "--output",
                        run.toString(),
                        "--steps",
                        "1"));
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
        assertFalse(
                Files.exists(tmp.resolve(".periodic.checkpoints")), "the in-progress directory became checkpoints/");
        JsonNode state = JSON.readTree(
                run.resolve("checkpoints/step-000004/trainer_state.json").toFile());
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
        Files.write(
                progress.resolve("metrics.jsonl"),
                before); // records of steps 4 and 8, as a crash after step 8 leaves them
        assertEquals(0, StageCommand.execute(new TrainJob(), shortRun(crashed, "1e-3")));
        List<String> after = Files.readAllLines(crashed.resolve("metrics.jsonl"));
        assertEquals(2, after.size(), after.toString());
        assertEquals(before.get(0), after.get(0), "the record of step 4, before the resume point, is kept as it was");
        assertEquals(8, JSON.readTree(after.get(1)).get("step").asLong(), "step 8's record is written anew");
        // The resumed attempt's event file tells TensorBoard it starts at step 4, then logs step 8.
        assertEquals(
                List.of("start@4", "scalars@8"),
                PythonEventReader.read(crashed.resolve("tensorboard")).stream()
                        .filter(e -> !e.has("file_version"))
                        .map(e -> (e.has("scalars") ? "scalars@" : "start@")
                                + e.path("step").asLong())
                        .toList());
        JsonNode report = JSON.readTree(crashed.resolve("_REPORT.json").toFile());
        assertEquals(4, report.path("resumed_at_step").asLong(), report.toString());
        assertEquals(List.of("step-000004", "step-000008"), listing(crashed.resolve("checkpoints")));
        assertEquals(
                Files.readString(run.resolve("checkpoints/step-000008/manifest.sha256")),
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
        assertTrue(
                message[0].contains("--resume " + corrupt) && message[0].contains("optimizer.safetensors has SHA-256"),
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
        assertEquals(
                0,
                StageCommand.execute(
                        new TrainJob(), withOptions(shortRun(longer, "1e-3"), "--steps", "12", "--resume", last)));
        JsonNode report = JSON.readTree(longer.resolve("_REPORT.json").toFile());
        assertEquals(8, report.path("resumed_at_step").asLong(), report.toString());
        assertEquals(8, report.path("extended_from_steps").asLong(), report.toString());
        assertEquals(List.of("step-000008", "step-000012"), listing(longer.resolve("checkpoints")));
        JsonNode state = JSON.readTree(
                longer.resolve("checkpoints/step-000012/trainer_state.json").toFile());
        assertEquals(12, state.get("step").asLong());
        assertEquals("12", state.path("config").path("steps").asText());
        List<String> records = Files.readAllLines(longer.resolve("metrics.jsonl"));
        System.out.println("extended run's records: " + records);
        JsonNode step12 = JSON.readTree(records.get(records.size() - 1));
        assertEquals(12, step12.get("step").asLong());
        JsonNode step8 = JSON.readTree(
                Files.readAllLines(finished.resolve("metrics.jsonl")).get(1));
        assertEquals(8, step8.get("step").asLong());
        double update8 = 1e-3 * (8 - 7) / (8 - 2); // the finished run's last update, 0-based index 7
        double update12 = 1e-3 * (12 - 11) / (12 - 2);
        assertEquals(update8, step8.get("lr").asDouble(), 1e-9, step8.toString());
        assertEquals(update12, step12.get("lr").asDouble(), 1e-9, step12.toString());

        String[] shorter = {""};
        assertEquals(
                2,
                withStderr(
                        shorter,
                        () -> StageCommand.execute(
                                new TrainJob(),
                                withOptions(
                                        shortRun(tmp.resolve("shorter"), "1e-3"), "--steps", "6", "--resume", last))));
        assertTrue(shorter[0].contains("was trained with steps = 8, this run has steps = 6"), shorter[0]);
        String[] warmup = {""};
        assertEquals(
                2,
                withStderr(
                        warmup,
                        () -> StageCommand.execute(
                                new TrainJob(),
                                withOptions(
                                        shortRun(tmp.resolve("rewarmed"), "1e-3"),
                                        "--steps",
                                        "12",
                                        "--warmup-steps",
                                        "3",
                                        "--resume",
                                        last))));
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
    /**
     * --eval-data scores the validation split the instances stage cut from held-out documents (masks
     * frozen) every --eval-every steps and after the last, into metrics.jsonl with both count
     * baselines, without changing training: the same run without it ends with the same weights and
     * optimiser state, byte for byte. The last record's loss is recomputed here from the Parquet rows
     * and the final checkpoint with an engine model of the test's own.
     */
    @Test
    void heldOutEvaluationScoresTheValidationSplitWithoutChangingTraining() throws Exception {
        Path shared = Path.of(System.getProperty("sparkbert.shared.data"));
        List<String> texts = C4ForTests.documents(
                shared.resolve("c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl"), 300);
        Path corpus = tmp.resolve("split-corpus");
        C4ForTests.writeCleanCorpus(
                spark, texts.subList(0, 250), corpus.resolve("clean").toString());
        C4ForTests.writeCleanCorpus(
                spark, texts.subList(250, 300), corpus.resolve("validation").toString());
        Path split = tmp.resolve("split-instances");
        assertEquals(
                0,
                StageCommand.execute(
                        new InstancesJob(),
                        "--master",
                        "local[2]",
                        "--input",
                        corpus.resolve("clean").toString(),
                        "--vocab",
                        vocab.toString(),
                        "--output",
                        split.toString(),
                        "--objective",
                        "nsp",
                        "--max-seq-length",
                        "64",
                        "--seed",
                        "5"));
        Path plain = tmp.resolve("eval-off"), scored = tmp.resolve("eval-on");
        assertEquals(0, StageCommand.execute(new TrainJob(), withData(shortRun(plain, "1e-3"), split)));
        List<String> args = new ArrayList<>(List.of(withData(shortRun(scored, "1e-3"), split)));
        args.addAll(List.of("--eval-data", split.toString(), "--eval-every", "4"));
        assertEquals(0, StageCommand.execute(new TrainJob(), args.toArray(String[]::new)));

        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            assertTrue(
                    java.util.Arrays.equals(
                            Files.readAllBytes(plain.resolve("checkpoints/step-000008/" + file)),
                            Files.readAllBytes(scored.resolve("checkpoints/step-000008/" + file))),
                    file + " differs");
        }
        List<JsonNode> evals = new ArrayList<>();
        for (String line : Files.readAllLines(scored.resolve("metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if ("eval".equals(n.path("kind").asText())) evals.add(n);
        }
        assertEquals(
                List.of(4L, 8L), evals.stream().map(n -> n.get("step").asLong()).toList());
        var rows = spark.read()
                .parquet(split.resolve("validation").toString())
                .select("input_ids", "token_type_ids", "masked_positions", "masked_ids")
                .collectAsList();
        long positions = rows.stream().mapToLong(r -> r.getList(2).size()).sum();
        JsonNode last = evals.get(1);
        assertEquals(positions, last.get("masked_positions").asLong());
        double unigram = last.get("unigram_nats").asDouble(),
                neighbours = last.get("two_neighbour_nats").asDouble();
        assertTrue(
                unigram > 1 && unigram < Math.log(vocabSize) && neighbours > 0 && neighbours < unigram + 1,
                last.toString());

        var loaded = CheckpointReader.read(
                FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(
                        scored.resolve("checkpoints/step-000008").toUri()));
        int T = rows.stream().mapToInt(r -> r.getList(0).size()).max().orElseThrow(), B = rows.size();
        int[] ids = new int[B * T], types = new int[B * T], mask = new int[B * T];
        List<Integer> at = new ArrayList<>(), labels = new ArrayList<>();
        for (int b = 0; b < B; b++) {
            List<Integer> in = rows.get(b).getList(0),
                    ty = rows.get(b).getList(1),
                    mp = rows.get(b).getList(2),
                    mi = rows.get(b).getList(3);
            for (int t = 0; t < in.size(); t++) {
                ids[b * T + t] = in.get(t);
                types[b * T + t] = ty.get(t);
                mask[b * T + t] = 1;
            }
            for (int k = 0; k < mp.size(); k++) {
                at.add(b * T + mp.get(k));
                labels.add(mi.get(k));
            }
        }
        var batch = new org.sparkbert.engine.model.Batch(
                B,
                T,
                ids,
                types,
                mask,
                at.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                new int[B]);
        try (var model = new org.sparkbert.engine.model.BertModel(
                loaded.model().withDropout(0f, 0f), org.sparkbert.engine.backend.Backends.cpu(2), B, T, at.size(), 0)) {
            for (var p : model.parameters())
                model.write(p, loaded.weights().get(p.name()).floats());
            var losses = model.forward(batch, 0L, 0L, 0, 0f, 0f);
            assertEquals(
                    losses.mlmLossSum() / losses.predictions(),
                    last.get("mlm_loss").asDouble(),
                    1e-4);
        }
        JsonNode report = JSON.readTree(scored.resolve("_REPORT.json").toFile());
        assertEquals(
                last.get("mlm_loss").asDouble(),
                report.path("held_out_mlm_loss").asDouble(),
                1e-9,
                report.toString());
    }

    private static String[] withData(String[] args, Path data) {
        String[] out = args.clone();
        for (int i = 0; i < out.length - 1; i++) if (out[i].equals("--data")) out[i + 1] = data.toString();
        return out;
    }

    private static String[] shortRun(Path output, String lr) {
        return new String[] {
            "--master",
            "local[2]",
            "--data",
            instances.toString(),
            "--vocab",
            vocab.toString(),
            "--model",
            projectRoot().resolve("conf/models/bert-tiny.conf").toString(),
            "--output",
            output.toString(),
            "--steps",
            "8",
            "--batch-size",
            "8",
            "--accumulate",
            "2",
            "--lr",
            lr,
            "--warmup-steps",
            "2",
            "--max-predictions",
            "10",
            "--seed",
            "7",
            "--log-every",
            "4",
            "--threads",
            "2",
            "--checkpoint-every",
            "4",
            "--keep-checkpoints",
            "3"
        };
    }

    private static List<String> listing(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .toList();
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /**
     * A run driven to overflow (learning rate 1e30, no clipping) skips its non-finite steps, stops
     * with exit 1 naming them, writes no output, and every checkpoint it left holds finite numbers only.
     */
    @Test
    void aRunDrivenToOverflowStopsWithExitOneAndNoNonFiniteCheckpoint() throws Exception {
        Path run = tmp.resolve("overflow");
        List<String> args = new ArrayList<>(List.of(shortRun(run, "1e30")));
        args.addAll(List.of("--clip-norm", "0", "--optimizer", "sgd"));
        args.set(args.indexOf("--steps") + 1, "20");
        args.set(args.indexOf("--warmup-steps") + 1, "0");
        args.set(args.indexOf("--checkpoint-every") + 1, "1");
        String[] message = {""};
        assertEquals(1, withStderr(message, () -> StageCommand.execute(new TrainJob(), args.toArray(String[]::new))));
        assertTrue(
                message[0].contains("had a non-finite loss or gradient norm (5 in a row; each was skipped)"),
                message[0]);
        assertFalse(Files.exists(run), "a failed run writes no output");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        List<Path> left = listing(tmp.resolve(".overflow.checkpoints")).stream()
                .filter(n -> n.startsWith("step-"))
                .map(n -> tmp.resolve(".overflow.checkpoints").resolve(n))
                .toList();
        assertFalse(left.isEmpty(), "the checkpoints before the overflow stay for a resume");
        for (Path dir : left) {
            for (var t : CheckpointReader.read(fs, new org.apache.hadoop.fs.Path(dir.toUri()))
                    .weights()
                    .values()) {
                if (t.floats() == null) continue;
                for (float x : t.floats()) assertTrue(Float.isFinite(x), dir + " holds " + x);
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
