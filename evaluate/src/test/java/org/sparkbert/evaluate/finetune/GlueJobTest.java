package org.sparkbert.evaluate.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.EvaluateJob;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueSubmissionWriter;
import org.sparkbert.evaluate.metrics.GlueMetrics;
import org.sparkbert.evaluate.perplexity.TinyBertForTests;
import org.sparkbert.tokenize.Tokenizer;

class GlueJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    private static Path checkpoint;
    private static Path glue;
    private static int testRows;

    /**
     * BERT-tiny pretrained (masked LM and sentence order, 300 steps) on 600 documents of the shared C4 sample with a
     * vocabulary cut from them; a GLUE directory with SST-2's real train and dev files and a test file
     * in GLUE's test layout made of the first dev sentences.
     */
    @BeforeAll
    static void pretrainedTinyBert() throws IOException {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("GlueJobTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        List<String> texts = TinyBertForTests.c4Documents(0, 600);
        Path vocab = tmp.resolve("vocab");
        Tokenizer tokenizer = TinyBertForTests.smallVocabulary(texts, 3000, vocab);
        ModelConfig config = TinyBertForTests.bertTiny(tokenizer.vocabularySize(), 128, "sop");
        try (BertModel model = TinyBertForTests.pretrain(config, tokenizer, texts, 64, 300, 16, 3e-4f, 5)) {
            checkpoint = TinyBertForTests.writeCheckpoint(model, tokenizer, vocab, tmp.resolve("run"), 300);
        }
        Path shared = TinyBertForTests.sharedData().resolve("glue/SST-2");
        glue = tmp.resolve("glue");
        Path sst2 = Files.createDirectories(glue.resolve("SST-2"));
        List<String> train = Files.readAllLines(shared.resolve("train.tsv"));
        Files.write(sst2.resolve("train.tsv"), train.subList(0, 6001));
        Files.copy(shared.resolve("dev.tsv"), sst2.resolve("dev.tsv"));
        List<String> dev = Files.readAllLines(shared.resolve("dev.tsv"));
        List<String> test = new ArrayList<>(List.of("index\tsentence"));
        for (int i = 1; i <= 25; i++) {
            test.add((i - 1) + "\t" + dev.get(i).split("\t")[0]);
        }
        testRows = test.size() - 1;
        Files.write(sst2.resolve("test.tsv"), test);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * One epoch over 4,000 SST-2 training sentences, from the pretrained checkpoint and from random
     * weights with the same data, seed, schedule and learning rate, scored on the 872 real dev
     * sentences. Both must learn the task: clearly above the majority class (50.9% of dev). What this
     * test does NOT claim: that pretraining on the C4 sample helps. It does not, in any setting we
     * measured (docs/BENCHMARKS.md, "Pretraining vs random init on SST-2", 19 settings and up to three
     * seeds; scripts/bench/sst2-pretraining reruns most of them): this recipe gave 62% against 67%, and 65% against 63% once dropout
     * was keyed per sequence (a change of random bits, not of method: within the seed-to-seed spread). Getting
     * the masked LM past the unigram stage is possible in the test's time (MLM only, post-LN, lr 1e-3
     * to 2e-3: 0.2-0.3 nats below the unigram entropy), but the better the masked LM, the worse the
     * fine-tuning (down to the majority class), because the briefly pretrained encoder layers, not the
     * embeddings, are a worse start than random ones for a [CLS] classifier trained for 125 steps. Linear
     * probes of the frozen features (scripts/bench/sst2-probe) find no more SST-2 information in the
     * pretrained [CLS], mean-pooled or embedding features than in random ones, and PyTorch trained on the
     * same sequences with the same recipe learns at our pace (scripts/golden/pretrain_reference.py). So
     * the margin issue 8 asks for is not asserted here; the benchmark section says what was tried.
     */
    @Test
    void fineTuningLearnsSst2FromThePretrainedCheckpointAndFromRandomWeights() throws IOException {
        Path out = tmp.resolve("glue-out");
        int code = EvaluateJob.execute(
                "glue",
                "--master",
                "local[2]",
                "--checkpoint",
                checkpoint.toString(),
                "--data",
                glue.toString(),
                "--output",
                out.toString(),
                "--tasks",
                "SST-2",
                "--epochs",
                "1",
                "--lr",
                "2e-3",
                "--batch-size",
                "32",
                "--max-seq-length",
                "64",
                "--max-train-examples",
                "4000",
                "--baseline",
                "random-init",
                "--seed",
                "1",
                "--threads",
                "2");
        assertEquals(0, code);
        GlueResult result = GlueResult.fromJson(Files.readString(out.resolve("SST-2.json")), "SST-2.json");
        double pretrained = result.metrics().get(GlueMetrics.ACC);
        double baseline = result.baselineMetrics().get(GlueMetrics.ACC);
        System.out.printf(
                "SST-2 dev accuracy after 1 epoch on 4000 sentences: pretrained %.4f, random-init %.4f%n",
                pretrained, baseline);
        double majority = 444.0 / 872;
        assertTrue(pretrained > majority + 0.05, "pretrained " + pretrained);
        assertTrue(baseline > majority + 0.1, "random-init " + baseline);

        JsonNode summary = JSON.readTree(out.resolve(GlueSummary.JSON_FILE).toFile());
        assertEquals(result.score(), summary.path("glue_average").asDouble(), 1e-12);
        assertEquals(result.baselineScore(), summary.path("baseline_average").asDouble(), 1e-12);
        assertTrue(Files.readString(out.resolve(GlueSummary.MARKDOWN_FILE)).contains("| SST-2 |"));
        List<String> submission = Files.readAllLines(out.resolve("submission/SST-2.tsv"));
        assertEquals(GlueSubmissionWriter.HEADER, submission.get(0));
        assertEquals(testRows + 1, submission.size());
        assertTrue(submission.get(1).matches("0\t[01]"));
        JsonNode report = JSON.readTree(out.resolve("_REPORT.json").toFile());
        assertEquals(4000, report.path("counters").path("SST-2_train_examples").asLong(), report.toString());
    }

    /**
     * --seeds 3 --lr-grid: each arm's rate is chosen on the last fifth of 4,000 training sentences
     * and three seeds run at it. The statistics are recomputed here from the seeds' scores in
     * SST-2.json: the reported metrics are the median run's, the difference the mean of the paired
     * ones, and a collapsed run is one whose accuracy is a class's share of dev. Then the same choice
     * on a copy of the data whose dev labels are all flipped: the same slice scores and rate (dev never
     * enters the choice), and the first seed's dev accuracy becomes 1 minus its former value.
     */
    @Test
    void seedsAndTheLearningRateChosenOnATrainingSliceNeverOnDev() throws IOException {
        Path out = tmp.resolve("glue-seeds");
        assertEquals(0, glueWithLrGrid(glue, out, "3", "--baseline", "random-init"));
        JsonNode result = JSON.readTree(out.resolve("SST-2.json").toFile());
        JsonNode seeds = result.path("seeds");
        for (String arm : List.of("pretrained", "random-init")) {
            JsonNode a = seeds.path(arm);
            assertEquals(3200, a.path("lr_selection").path("fit_examples").asInt(), a.toString());
            assertEquals(800, a.path("lr_selection").path("slice_examples").asInt(), a.toString());
            assertEquals(
                    List.of(5, 6, 7),
                    List.of(
                            a.path("seeds").get(0).asInt(),
                            a.path("seeds").get(1).asInt(),
                            a.path("seeds").get(2).asInt()));
            double[] scores = {
                a.path("scores").get(0).asDouble(),
                a.path("scores").get(1).asDouble(),
                a.path("scores").get(2).asDouble()
            };
            double[] sorted = scores.clone();
            java.util.Arrays.sort(sorted);
            assertEquals(sorted[1], a.path("median").asDouble(), 1e-12);
            JsonNode metrics = arm.equals("pretrained")
                    ? result.path("metrics")
                    : result.path("baseline").path("metrics");
            assertEquals(sorted[1], metrics.path(GlueMetrics.ACC).asDouble(), 1e-12, "the median run's metrics");
            int collapsed = 0;
            for (double acc : scores)
                if (Math.abs(acc - 428.0 / 872) < 1e-9 || Math.abs(acc - 444.0 / 872) < 1e-9) collapsed++;
            assertEquals(collapsed, a.path("collapsed").asInt(), a.toString());
        }
        double meanDifference = 0;
        for (int i = 0; i < 3; i++) {
            meanDifference += (seeds.path("pretrained").path("scores").get(i).asDouble()
                            - seeds.path("random-init").path("scores").get(i).asDouble())
                    / 3;
        }
        assertEquals(meanDifference, seeds.path("mean_difference").asDouble(), 1e-12);
        double low = seeds.path("difference_ci95").get(0).asDouble(),
                high = seeds.path("difference_ci95").get(1).asDouble();
        assertTrue(low <= meanDifference && meanDifference <= high, seeds.toString());
        assertTrue(Files.readString(out.resolve(GlueSummary.MARKDOWN_FILE)).contains("SST-2 over 3 seed(s): median"));
        JsonNode report = JSON.readTree(out.resolve("_REPORT.json").toFile());
        assertEquals(meanDifference, report.path("SST-2_difference").asDouble(), 1e-12, report.toString());

        Path flipped = tmp.resolve("glue-flipped/SST-2");
        Files.createDirectories(flipped);
        Files.copy(glue.resolve("SST-2/train.tsv"), flipped.resolve("train.tsv"));
        List<String> dev = Files.readAllLines(glue.resolve("SST-2/dev.tsv"));
        List<String> devFlipped = new ArrayList<>(List.of(dev.get(0)));
        for (String line : dev.subList(1, dev.size())) {
            devFlipped.add(line.substring(0, line.length() - 1) + (line.endsWith("1") ? "0" : "1"));
        }
        Files.write(flipped.resolve("dev.tsv"), devFlipped);
        Path upsideDownOut = tmp.resolve("glue-seeds-flipped");
        assertEquals(0, glueWithLrGrid(flipped.getParent(), upsideDownOut, "1", "--baseline", "random-init"));
        JsonNode flippedSeeds =
                JSON.readTree(upsideDownOut.resolve("SST-2.json").toFile()).path("seeds");
        for (String arm : List.of("pretrained", "random-init")) {
            JsonNode plain = seeds.path(arm), upsideDown = flippedSeeds.path(arm);
            assertEquals(
                    plain.path("lr_selection"), upsideDown.path("lr_selection"), arm + ": the choice does not see dev");
            assertEquals(plain.path("lr").asDouble(), upsideDown.path("lr").asDouble());
            assertEquals(
                    1 - plain.path("scores").get(0).asDouble(),
                    upsideDown.path("scores").get(0).asDouble(),
                    1e-9);
        }
    }

    private static int glueWithLrGrid(Path data, Path out, String seeds, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "glue",
                "--master",
                "local[2]",
                "--checkpoint",
                checkpoint.toString(),
                "--data",
                data.toString(),
                "--output",
                out.toString(),
                "--tasks",
                "SST-2",
                "--epochs",
                "1",
                "--lr-grid",
                "1e-3,2e-3",
                "--seeds",
                seeds,
                "--batch-size",
                "32",
                "--max-seq-length",
                "64",
                "--max-train-examples",
                "4000",
                "--seed",
                "5",
                "--threads",
                "2"));
        args.addAll(List.of(more));
        return EvaluateJob.execute(args.toArray(String[]::new));
    }

    /**
     * MNLI (three labels, matched and mismatched dev and test files) on small files in GLUE's layout made
     * of RTE's sentence pairs, and STS-B (regression) on the first 300 rows of its real training file:
     * both run end to end and report their own metrics and submission files.
     */
    @Test
    void mnliAndStsbFineTuneWithTheirOwnHeadsAndMetrics() throws IOException {
        Path dir = tmp.resolve("glue-mnli-stsb");
        Path mnli = Files.createDirectories(dir.resolve("MNLI"));
        List<String> rte = Files.readAllLines(TinyBertForTests.sharedData().resolve("glue/RTE/train.tsv"));
        String header = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse"
                + "\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2";
        String[] labels = {"contradiction", "entailment", "neutral"};
        List<String> train = new ArrayList<>(List.of(header + "\tlabel1\tgold_label"));
        List<String> devMatched =
                new ArrayList<>(List.of(header + "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label"));
        List<String> devMismatched = new ArrayList<>(devMatched.subList(0, 1));
        List<String> testMatched = new ArrayList<>(List.of(header));
        for (int i = 1; i <= 120; i++) {
            String[] row = rte.get(i).split("\t");
            String pair =
                    i + "\t" + i + "\t" + i + "n\tfiction\t(x)\t(y)\t(ROOT x)\t(ROOT y)\t" + row[1] + "\t" + row[2];
            String label = labels[i % 3];
            if (i <= 60) {
                train.add(pair + "\t" + label + "\t" + label);
            } else if (i <= 80) {
                devMatched.add(
                        pair + "\t" + label + "\t" + label + "\t" + label + "\t" + label + "\t" + label + "\t" + label);
            } else if (i <= 100) {
                devMismatched.add(
                        pair + "\t" + label + "\t" + label + "\t" + label + "\t" + label + "\t" + label + "\t" + label);
            } else {
                testMatched.add(pair);
            }
        }
        Files.write(mnli.resolve("train.tsv"), train);
        Files.write(mnli.resolve("dev_matched.tsv"), devMatched);
        Files.write(mnli.resolve("dev_mismatched.tsv"), devMismatched);
        Files.write(mnli.resolve("test_matched.tsv"), testMatched);
        writeStsb(dir);

        Path out = tmp.resolve("glue-mnli-stsb-out");
        int code = EvaluateJob.execute(
                "glue",
                "--master",
                "local[2]",
                "--checkpoint",
                checkpoint.toString(),
                "--data",
                dir.toString(),
                "--output",
                out.toString(),
                "--tasks",
                "all",
                "--epochs",
                "1",
                "--lr",
                "1e-3",
                "--batch-size",
                "16",
                "--max-seq-length",
                "64",
                "--seed",
                "2",
                "--threads",
                "2");
        assertEquals(0, code);
        GlueResult mnliResult = GlueResult.fromJson(Files.readString(out.resolve("MNLI.json")), "MNLI.json");
        assertEquals(
                List.of(GlueMetrics.ACC_MATCHED, GlueMetrics.ACC_MISMATCHED),
                List.copyOf(mnliResult.metrics().keySet()));
        GlueResult stsbResult = GlueResult.fromJson(Files.readString(out.resolve("STS-B.json")), "STS-B.json");
        assertTrue(stsbResult.metrics().containsKey(GlueMetrics.SPEARMAN));
        assertTrue(Double.isFinite(stsbResult.metrics().get(GlueMetrics.PEARSON)));
        List<String> submission = Files.readAllLines(out.resolve("submission/MNLI-m.tsv"));
        assertEquals(testMatched.size(), submission.size());
        assertTrue(submission.get(1).matches("101\t(contradiction|entailment|neutral)"), submission.get(1));
        assertFalse(Files.exists(out.resolve("submission/MNLI-mm.tsv")));
        JsonNode summary = JSON.readTree(out.resolve(GlueSummary.JSON_FILE).toFile());
        assertEquals(
                (mnliResult.score() + stsbResult.score()) / 2,
                summary.path("glue_average").asDouble(),
                1e-12);
        for (String key : List.of("spearmanr_raw", "spearmanr_whitened")) {
            double spearman = summary.path("zero_shot_stsb").path(key).asDouble(Double.NaN);
            assertTrue(spearman >= -1 && spearman <= 1, key + " " + spearman);
        }
        assertEquals(200, summary.path("zero_shot_stsb").path("pairs").asInt());
        assertFalse(summary.path("zero_shot_stsb").has("baseline_spearmanr_raw"), "no baseline without --baseline");
        JsonNode report = JSON.readTree(out.resolve("_REPORT.json").toFile());
        assertTrue(report.has("zero_shot_stsb_spearmanr_raw"), report.toString());
        assertFalse(report.has("zero_shot_stsb_spearmanr_raw_baseline"), report.toString());
    }

    /**
     * With --baseline random-init, zero-shot STS-B is measured for random weights of the same
     * architecture too: correlations beside the checkpoint's in _REPORT.json, summary.json and summary.md,
     * and not the checkpoint's (the pretrained encoder and a random one pool different vectors).
     */
    @Test
    void zeroShotStsbHasARandomInitBaselineWithTheBaselineOption() throws IOException {
        Path dir = tmp.resolve("glue-stsb");
        writeStsb(dir);
        Path out = tmp.resolve("glue-stsb-out");
        int code = EvaluateJob.execute(
                "glue",
                "--master",
                "local[2]",
                "--checkpoint",
                checkpoint.toString(),
                "--data",
                dir.toString(),
                "--output",
                out.toString(),
                "--tasks",
                "STS-B",
                "--epochs",
                "1",
                "--max-train-examples",
                "64",
                "--batch-size",
                "16",
                "--max-seq-length",
                "64",
                "--baseline",
                "random-init",
                "--seed",
                "3",
                "--threads",
                "2");
        assertEquals(0, code);
        JsonNode report = JSON.readTree(out.resolve("_REPORT.json").toFile());
        JsonNode summary =
                JSON.readTree(out.resolve(GlueSummary.JSON_FILE).toFile()).path("zero_shot_stsb");
        for (String figure : List.of("spearmanr_raw", "spearmanr_whitened")) {
            double pretrained = report.path("zero_shot_stsb_" + figure).asDouble(Double.NaN);
            double random =
                    report.path("zero_shot_stsb_" + figure + "_baseline").asDouble(Double.NaN);
            System.out.printf(
                    "zero-shot STS-B %s on 200 dev pairs: checkpoint %.4f, random-init %.4f%n",
                    figure, pretrained, random);
            assertTrue(Math.abs(pretrained) <= 1 && Math.abs(random) <= 1, figure + " " + pretrained + " " + random);
            assertTrue(Math.abs(pretrained - random) > 1e-6, figure + " " + pretrained + " " + random);
            assertEquals(pretrained, summary.path(figure).asDouble(), 0);
            assertEquals(random, summary.path("baseline_" + figure).asDouble(), 0);
        }
        String markdown = Files.readString(out.resolve(GlueSummary.MARKDOWN_FILE));
        assertTrue(
                markdown.matches("(?s).*Zero-shot STS-B.*raw [-0-9.]+ \\(random-init baseline: [-0-9.]+\\),"
                        + " whitened [-0-9.]+ \\(random-init baseline: [-0-9.]+\\).*"),
                markdown);
    }

    /** STS-B's first 300 real training rows and first 200 dev rows under dir/STS-B. */
    private static void writeStsb(Path dir) throws IOException {
        Path stsb = Files.createDirectories(dir.resolve("STS-B"));
        Path shared = TinyBertForTests.sharedData().resolve("glue/STS-B");
        Files.write(
                stsb.resolve("train.tsv"),
                Files.readAllLines(shared.resolve("train.tsv")).subList(0, 301));
        Files.write(
                stsb.resolve("dev.tsv"),
                Files.readAllLines(shared.resolve("dev.tsv")).subList(0, 201));
    }

    @Test
    void anUnknownTaskOrAMissingTaskDirectoryIsAUsageError() {
        for (String tasks : List.of("SST-3", "CoLA")) {
            int code = EvaluateJob.execute(
                    "glue",
                    "--master",
                    "local[2]",
                    "--checkpoint",
                    checkpoint.toString(),
                    "--data",
                    glue.toString(),
                    "--output",
                    tmp.resolve("glue-bad").toString(),
                    "--tasks",
                    tasks);
            assertEquals(2, code, tasks);
        }
    }
}
