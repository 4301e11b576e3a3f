package org.sparkbert.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a slice of the bundled sample (real C4 news pages and raw Common Crawl text)
 * with a very small model: every stage's report, the checkpoint and the run report, then the reruns.
 */
class PipelineJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SAMPLE = Path.of(System.getProperty("sparkbert.project.root"), "sample", "c4");
    private static final int NEWS_RECORDS = 200;
    private static final int RAW_RECORDS = 60;

    @TempDir
    static Path dir;

    private static Path work;
    private static String firstConsole;

    @BeforeAll
    static void runPipelineOnce() throws IOException {
        Path input = Files.createDirectories(dir.resolve("shards"));
        copyHead(
                SAMPLE.resolve("c4-realnewslike-train.00000-of-00512.records0001-0600.json.gz"),
                NEWS_RECORDS,
                input.resolve("news.json"));
        copyHead(
                SAMPLE.resolve("CC-MAIN-20190717121559-20190717143559-00140.dolma-extracted.jsonl.gz"),
                RAW_RECORDS,
                input.resolve("raw.jsonl"));
        Path model = dir.resolve("bert-micro.conf");
        Files.writeString(
                model,
                String.join(
                        "\n",
                        "hidden_size=32",
                        "num_hidden_layers=1",
                        "num_attention_heads=2",
                        "intermediate_size=64",
                        "max_position_embeddings=64",
                        "type_vocab_size=2",
                        "hidden_dropout_prob=0.1",
                        "attention_probs_dropout_prob=0.1",
                        "layer_norm_eps=1e-12",
                        "initializer_range=0.02",
                        "pre_layer_norm=false",
                        "embedding_size=32",
                        "share_layers=false",
                        "objective=nsp",
                        ""));
        work = dir.resolve("work");
        Console console = Console.capture(() -> assertEquals(0, pipeline()));
        firstConsole = console.out;
    }

    @AfterAll
    static void stopSpark() {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
    }

    static int pipeline(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--input",
                dir.resolve("shards").toString(),
                "--work",
                work.toString(),
                "--model",
                dir.resolve("bert-micro.conf").toString(),
                "--budget-minutes",
                "1",
                "--master",
                "local[2]",
                "--conf",
                "spark.sql.shuffle.partitions=4",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "pipeline.vocab.size=1000",
                "--conf",
                "pipeline.instances.max_seq_length=64",
                "--conf",
                "pipeline.instances.dupe_factor=1",
                "--conf",
                "pipeline.train.batch_size=16",
                "--conf",
                "pipeline.train.lr=3e-3",
                "--conf",
                "pipeline.train.log_every=5",
                "--conf",
                "pipeline.train.max_steps=60",
                "--conf",
                "masking.max_predictions_per_seq=10",
                "--conf",
                "ingest.dedup.near.permutations=64",
                "--conf",
                "evaluate.perplexity.batch_size=16",
                "--conf",
                "pipeline.glue.data=" + SAMPLE.resolveSibling("glue"),
                "--conf",
                "pipeline.glue.epochs=1",
                "--conf",
                "pipeline.glue.max_train_examples=400",
                "--conf",
                "pipeline.glue.max_seq_length=32",
                "--conf",
                "pipeline.glue.batch_size=16"));
        args.addAll(List.of(extra));
        return PipelineJob.execute(args.toArray(new String[0]));
    }

    @Test
    void ingestKeepsTheNewsAndReconciles() throws IOException {
        JsonNode r = report("ingest");
        assertEquals("ingest", r.path("stage").asText());
        assertEquals(NEWS_RECORDS + RAW_RECORDS, r.path("records_in").asLong());
        long dropped = 0;
        for (Iterator<JsonNode> it = r.path("dropped").elements(); it.hasNext(); ) {
            dropped += it.next().asLong();
        }
        assertEquals(r.path("records_in").asLong(), r.path("records_out").asLong() + dropped);
        assertTrue(r.path("records_out").asLong() > NEWS_RECORDS / 2, "most C4 news pages pass C4's own rules: " + r);
        assertTrue(dropped >= RAW_RECORDS / 2, "most raw Common Crawl text fails them: " + r.path("dropped"));
        assertEquals(
                "64",
                r.path("settings").path("ingest.dedup.near.permutations").asText(),
                "--conf reaches the ingest stage");
        assertTrue(
                Files.isDirectory(work.resolve("ingest/clean")) && Files.isDirectory(work.resolve("ingest/rejects")));
    }

    @Test
    void vocabularyHasTheAskedSizeAndOnlyItsOwnSettings() throws IOException {
        JsonNode r = report("vocab");
        long size = r.path("counters").path("vocab_size").asLong();
        assertTrue(size > 500 && size <= 1000, "vocabulary size " + size);
        assertEquals(size, Files.readAllLines(work.resolve("vocab/vocab.txt")).size());
        assertEquals("wordpiece", r.path("arguments").path("model").asText().toLowerCase());
        r.path("settings")
                .fieldNames()
                .forEachRemaining(k -> assertTrue(k.startsWith("vocab."), "vocab got setting " + k));
    }

    @Test
    void instancesFollowTheModelsObjective() throws IOException {
        JsonNode r = report("instances");
        assertEquals("nsp", r.path("objective").asText());
        long instances = r.path("counters").path("instances").asLong();
        assertTrue(instances > 100, "instances: " + instances);
        assertEquals(
                instances,
                r.path("counters").path("label_0").asLong()
                        + r.path("counters").path("label_1").asLong());
        assertTrue(r.path("longest_instance").asInt() <= 64);
        assertEquals(
                "10", r.path("settings").path("masking.max_predictions_per_seq").asText());
    }

    @Test
    void trainingRunsTheBudgetedStepsLearnsAndCheckpoints() throws IOException {
        JsonNode r = report("train");
        JsonNode pipeline = report("report");
        assertEquals(
                60, pipeline.path("train_steps").asLong(), "a micro model in one minute hits pipeline.train.max_steps");
        assertEquals(60, r.path("counters").path("steps").asLong());
        assertEquals("checkpoints/step-000060", r.path("checkpoint").asText());
        Path checkpoint = work.resolve("train/checkpoints/step-000060");
        assertTrue(Files.size(checkpoint.resolve("model.safetensors")) > 0);
        JsonNode config = JSON.readTree(checkpoint.resolve("config.json").toFile());
        assertEquals(32, config.path("hidden_size").asInt());
        assertEquals(
                report("vocab").path("counters").path("vocab_size").asInt(),
                config.path("vocab_size").asInt());
        List<String> lines = Files.readAllLines(work.resolve("train/metrics.jsonl"));
        List<String> metrics =
                lines.stream().filter(l -> !l.contains("\"kind\"")).toList();
        assertEquals(12, metrics.size(), "one metrics line per 5 steps");
        List<Long> evaluated = new java.util.ArrayList<>();
        for (String l : lines) {
            JsonNode n = JSON.readTree(l);
            if ("eval".equals(n.path("kind").asText()))
                evaluated.add(n.get("step").asLong());
        }
        assertEquals(
                java.util.stream.LongStream.rangeClosed(1, 10)
                        .map(k -> 6 * k)
                        .boxed()
                        .toList(),
                evaluated,
                "the pipeline scores the validation split ten times (pipeline.train.evaluations), the last after step 60");
        assertTrue(
                r.path("held_out_mlm_loss").asDouble() > 0
                        && r.path("held_out_two_neighbour_nats").asDouble() > 0,
                r.toString());
        double first = JSON.readTree(metrics.get(0)).path("mlm_loss").asDouble();
        double last = r.path("final_mlm_loss").asDouble();
        assertTrue(last < first - 0.5, "masked-LM loss should fall: " + first + " -> " + last);
    }

    @Test
    void perplexityOfTheCheckpointOnTheValidationSplitBesideTheBaselines() throws IOException {
        JsonNode r = report("train/perplexity");
        assertEquals("evaluate-perplexity", r.path("stage").asText());
        double perplexity = r.path("perplexity").asDouble();
        int vocabulary = report("vocab").path("counters").path("vocab_size").asInt();
        assertTrue(perplexity > 1 && perplexity < vocabulary, "a trained model beats the uniform guess: " + perplexity);
        assertEquals(Math.exp(r.path("mean_cross_entropy").asDouble()), perplexity, 1e-6 * perplexity);
        long scored = r.path("counters").path("tokens_scored").asLong();
        assertTrue(scored > 100, "masked positions of the validation instances: " + scored);
        assertEquals(
                report("instances")
                        .path("counters")
                        .path("validation_masked_tokens")
                        .asLong(),
                scored,
                "every frozen validation position is scored");
        assertTrue(r.path("arguments").path("input").asText().endsWith("instances"));
        JsonNode heldOut = r.path("held_out");
        assertEquals(scored, heldOut.path("positions").asLong());
        assertEquals(
                r.path("mean_cross_entropy").asDouble(),
                heldOut.path("model_nats").asDouble(),
                1e-12);
        for (String baseline : List.of("unigram_nats", "neighbour_nats")) {
            double nats = heldOut.path(baseline).asDouble();
            assertTrue(nats > 0 && nats < Math.log(vocabulary) + 1, baseline + " " + nats);
        }
        assertTrue(heldOut.path("effective_rank").asDouble() >= 1, heldOut.toString());
    }

    @Test
    void glueFineTunesSst2AgainstTheRandomInitBaseline() throws IOException {
        JsonNode r = report("glue");
        assertEquals("evaluate-glue", r.path("stage").asText());
        assertEquals(400, r.path("counters").path("SST-2_train_examples").asLong());
        assertEquals(872, r.path("counters").path("SST-2_dev_examples").asLong());
        JsonNode result = JSON.readTree(work.resolve("glue/SST-2.json").toFile());
        assertTrue(
                result.path("metrics").has("acc")
                        && result.path("baseline").path("name").asText().equals("random-init"),
                result.toString());
        double score = r.path("SST-2_score").asDouble(-1);
        double baseline = r.path("SST-2_baseline_score").asDouble(-1);
        assertTrue(score >= 0 && score <= 1 && baseline >= 0 && baseline <= 1, score + " / " + baseline);
        assertTrue(firstConsole.contains("SST-2"), "the summary shows the GLUE score:\n" + firstConsole);
        // The default pipeline.glue.seeds and lr_grid: three seeds per arm, each arm's rate chosen on a training slice.
        assertEquals(3, r.path("SST-2_seeds").asInt(), r.toString());
        assertEquals(
                3,
                result.path("seeds")
                        .path("random-init")
                        .path("lr_selection")
                        .path("grid")
                        .size(),
                result.toString());
        assertTrue(
                firstConsole.contains("SST-2 over 3 seeds: median") && firstConsole.contains("paired difference"),
                "the summary shows the seeds' medians and the paired difference:\n" + firstConsole);
        assertTrue(
                firstConsole.contains("held-out   masked-LM loss"),
                "the summary shows the held-out loss:\n" + firstConsole);
        assertTrue(
                Files.readString(work.resolve("report/report.md")).contains("SST-2 over 3 seed(s): median"),
                "the report shows the seeds' medians");
    }

    @Test
    void reportAndSummary() throws IOException {
        JsonNode r = report("report");
        assertEquals("pipeline", r.path("stage").asText());
        for (String file : List.of("report.md", "report.html", "report.json")) {
            assertTrue(Files.size(work.resolve("report").resolve(file)) > 0, file);
        }
        JsonNode json = JSON.readTree(work.resolve("report/report.json").toFile());
        assertTrue(json.toString().contains("mlm"), "report.json holds the training curve");
        String markdown = Files.readString(work.resolve("report/report.md"));
        assertTrue(markdown.contains("train"), markdown);
        assertTrue(markdown.contains("SST-2"), "the report shows the GLUE result:\n" + markdown);
        assertTrue(markdown.toLowerCase().contains("perplexity"), markdown);
        JsonNode summary = r.path("summary");
        assertEquals(
                report("ingest").path("records_out").asLong(),
                summary.path("records_kept").asLong());
        assertEquals(
                report("instances").path("counters").path("instances").asLong(),
                summary.path("instances").asLong());
        for (String stage : List.of(
                "[1/7] ingest",
                "[2/7] vocab",
                "[3/7] instances",
                "[4/7] train",
                "[5/7] perplexity",
                "[6/7] glue",
                "[7/7] report")) {
            assertTrue(
                    firstConsole.contains("pipeline " + stage + ": "),
                    "progress line for " + stage + " in:\n" + firstConsole);
        }
        assertTrue(firstConsole.contains("pipeline: summary"), firstConsole);
        assertTrue(
                firstConsole.contains(
                        work.resolve("report").resolve("report.html").toString()),
                firstConsole);
    }

    @Test
    void rerunsSkipWhatIsFinished() throws IOException {
        Map<String, String> finished = finishedTimes();
        Console again = Console.capture(() -> assertEquals(0, pipeline()));
        assertEquals(finished, finishedTimes(), "a complete pipeline reruns nothing");
        assertTrue(again.out.contains("already complete"), again.out);
        assertTrue(again.out.contains("pipeline: summary"), again.out);

        deleteTree(work.resolve("report"));
        Console resumed = Console.capture(() -> assertEquals(0, pipeline()));
        Map<String, String> after = finishedTimes();
        for (String stage : List.of("ingest", "vocab", "instances", "train", "train/perplexity", "glue")) {
            assertEquals(finished.get(stage), after.get(stage), stage + " was finished and must be skipped");
        }
        for (String stage : List.of("ingest", "vocab", "instances", "train", "perplexity", "glue")) {
            assertTrue(resumed.out.contains(stage + ": already complete in "), resumed.out);
        }
        assertEquals(6, report("report").path("counters").path("stages_skipped").asLong());
        assertTrue(Files.size(work.resolve("report/report.html")) > 0);
    }

    private static Map<String, String> finishedTimes() throws IOException {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String stage : List.of("ingest", "vocab", "instances", "train", "train/perplexity", "glue", "report")) {
            m.put(stage, report(stage).path("finished").asText());
        }
        return m;
    }

    private static JsonNode report(String stage) throws IOException {
        JsonNode r = JSON.readTree(work.resolve(stage).resolve("_REPORT.json").toFile());
        assertTrue(r.path("complete").asBoolean(), stage + " report is complete");
        return r;
    }

    private static void copyHead(Path gz, int lines, Path to) throws IOException {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            List<String> head = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                head.add(in.readLine());
            }
            Files.write(to, head, StandardCharsets.UTF_8);
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** What a command printed on standard output and standard error. */
    record Console(String out, String err) {
        static Console capture(Runnable command) {
            PrintStream out = System.out;
            PrintStream err = System.err;
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            System.setOut(new PrintStream(new TeeStream(o, out), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new TeeStream(e, err), true, StandardCharsets.UTF_8));
            try {
                command.run();
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            return new Console(o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        }
    }

    /** Keeps what is printed for the assertions and still shows it in the test log. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
