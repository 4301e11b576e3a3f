package org.sparkbert.evaluate.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.evaluate.EvaluateJob;
import org.sparkbert.evaluate.ReportCommand;
import org.sparkbert.evaluate.finetune.GlueSummary;
import org.sparkbert.evaluate.finetune.ZeroShotSimilarity;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.metrics.GlueScore;
import org.sparkbert.evaluate.metrics.PublishedScores;
import org.sparkbert.evaluate.perplexity.PerplexityResult;
import org.w3c.dom.Document;

/**
 * {@code evaluate report} on a synthetic run: the three files, their numbers, and report.html rendered by
 * headless Chromium, with each plot checked to be drawn where {@link ReportLayout} puts it (pixels of
 * the plot's series colours inside its box), and an empty plot checked to hold none.
 */
class ReportCommandTest {
    private static final int STEPS = 600;

    @TempDir
    Path tmp;

    @Test
    void reportOfARunWithPerplexityAndGlueRendersEveryPlot() throws Exception {
        Path run = syntheticRun();
        Path eval = syntheticEval();
        Path out = tmp.resolve("report");
        assertEquals(
                0,
                ReportCommand.execute("--run", run.toString(), "--eval", eval.toString(), "--output", out.toString()));

        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(STEPS / 2, json.at("/training/points").asInt());
        assertEquals(STEPS, json.at("/training/last_step").asInt());
        assertEquals(2, json.at("/model/layers").asInt());
        assertEquals("BERT-Tiny", json.at("/model/published_same_size").asText());
        assertEquals(
                List.of(100, 300, 600),
                List.of(
                        json.at("/perplexity/0/step").asInt(),
                        json.at("/perplexity/1/step").asInt(),
                        json.at("/perplexity/2/step").asInt()));
        assertEquals(41.5, json.at("/perplexity/1/perplexity").asDouble());
        assertEquals(expectedAverage(false), json.at("/glue/average").asDouble(), 1e-12);
        assertEquals(expectedAverage(true), json.at("/glue/baseline_average").asDouble(), 1e-12);
        assertEquals(0.645, json.at("/glue/tasks/MNLI/score").asDouble(), 1e-12);
        assertEquals(0.832, json.at("/glue/tasks/SST-2/published/BERT-Tiny").asDouble(), 1e-12);
        assertFalse(json.at("/glue/complete").asBoolean());
        assertFalse(json.has("zero_shot_stsb"), "no summary.json, no zero-shot STS-B");
        String notes = json.get("notes").toString();
        assertTrue(notes.contains("5 steps were logged twice"), notes);
        assertTrue(notes.contains("was cut off"), notes);

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| SST-2 | acc 81.0 | 81.0 | 55.0 | 83.2 | 85.9 | 89.7 |"), md);
        assertTrue(md.contains("| MRPC | acc 70.0, f1 80.0, acc_and_f1 75.0 | 75.0 | 74.5 | 76.1 | 76.4 | 79.8 |"), md);
        assertTrue(md.contains("| 300 | 41.500 | mlm | 120,000 | 7 |"), md);
        assertTrue(md.contains("Model: 2 layers, hidden size 128 (the size of BERT-Tiny)."), md);

        assertTrue(md.contains("Scored: validation split instances/validation (masks frozen)"), md);
        assertTrue(md.contains("| two-neighbour counts | 4.2500 | 70.11 |"), md);
        assertTrue(md.contains("| unigram counts | 6.5000 | 665.14 |"), md);
        assertTrue(md.contains("| model (step 600) | 2.9042 | 18.25 |"), md);
        assertTrue(md.contains("| anisotropy (mean cosine, different sentences) | 0.375 |"), md);
        assertTrue(md.contains("| effective rank (Roy & Vetterli) | 42.5 | of 128 dimensions"), md);

        String html = Files.readString(out.resolve("report.html"));
        assertSelfContained(html);
        assertEquals(ReportLayout.all().size(), parseEverySvg(html));
        assertTrue(
                Chromium.scrollWidth(out.resolve("report.html"), 1200, 900, tmp) <= 1200,
                "the page fits a 1200 px wide window without scrolling sideways");

        BufferedImage shot = Chromium.screenshot(
                out.resolve("report.html"),
                ReportLayout.PAGE_WIDTH,
                ReportLayout.GLUE.top() + ReportLayout.GLUE.height() + ReportLayout.MARGIN,
                tmp);
        keepForInspection(out.resolve("report.html"), tmp.resolve("screenshot.png"));
        assertDrawn(shot, ReportLayout.LOSS, Palette.LOSS, 400);
        assertDrawn(shot, ReportLayout.LOSS, Palette.MLM_LOSS, 400);
        assertDrawn(shot, ReportLayout.LOSS, Palette.NSP_LOSS, 400);
        assertDrawn(shot, ReportLayout.LOSS, Palette.NEIGHBOUR_BASELINE, 200);
        assertDrawn(shot, ReportLayout.LOSS, Palette.UNIGRAM_BASELINE, 200);
        assertDrawn(shot, ReportLayout.LEARNING_RATE, Palette.LEARNING_RATE, 400);
        assertDrawn(shot, ReportLayout.ACCURACY, Palette.MLM_ACCURACY, 400);
        assertDrawn(shot, ReportLayout.ACCURACY, Palette.NSP_ACCURACY, 400);
        assertDrawn(shot, ReportLayout.PERPLEXITY, Palette.PERPLEXITY, 150);
        assertDrawn(shot, ReportLayout.GLUE, Palette.OURS, 1000);
        assertDrawn(shot, ReportLayout.GLUE, Palette.BASELINE, 1000);
        for (String published : Palette.PUBLISHED) {
            assertDrawn(shot, ReportLayout.GLUE, published, 1000);
        }
        // Colours stay inside their own plot: no learning-rate red among the loss curves.
        assertEquals(0, countColour(shot, ReportLayout.LOSS, Palette.LEARNING_RATE));
    }

    @Test
    void runWithoutEvaluationsShowsEmptyPlotsAndSaysWhy() throws Exception {
        Path run = syntheticRun();
        Path out = tmp.resolve("report-run-only");
        assertEquals(0, ReportCommand.execute("--run", run.toString(), "--output", out.toString()));
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("No --eval directory given: no GLUE results."), md);
        assertTrue(md.contains("No perplexity.json found"), md);

        BufferedImage shot = Chromium.screenshot(
                out.resolve("report.html"),
                ReportLayout.PAGE_WIDTH,
                ReportLayout.GLUE.top() + ReportLayout.GLUE.height() + ReportLayout.MARGIN,
                tmp);
        assertDrawn(shot, ReportLayout.LOSS, Palette.LOSS, 400);
        assertEquals(0, countColour(shot, ReportLayout.PERPLEXITY, Palette.PERPLEXITY), "empty perplexity plot");
        assertEquals(0, countColour(shot, ReportLayout.GLUE, Palette.OURS), "empty GLUE plot");
    }

    @Test
    void zeroShotStsbFromTheGlueSummaryIsInEveryFileBesideTheBaseline() throws Exception {
        GlueSummary summary = glueSummary();
        summary.zeroShot(new ZeroShotSimilarity.Result(0.588, 0.740, 1500));
        summary.zeroShotBaseline(new ZeroShotSimilarity.Result(0.525, 0.758, 1500));
        Path out = reportWithSummary(summary);

        String md = Files.readString(out.resolve("report.md"));
        int caption = md.indexOf(
                "Zero-shot STS-B (cosine of mean-pooled sentence vectors, no fine-tuning), Spearman × 100 over 1,500 dev pairs:");
        assertTrue(md.indexOf("## GLUE") < caption && caption < md.indexOf("## Notes"), md);
        assertTrue(
                md.contains(
                        "| Spearman | ours | random init |\n|---|---|---|\n| raw | 58.8 | 52.5 |\n| whitened | 74.0 | 75.8 |\n"),
                md);

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(
                html.contains(
                        "<p>Zero-shot STS-B (cosine of mean-pooled sentence vectors, no fine-tuning), Spearman × 100 over 1,500 dev pairs:</p>"),
                html);
        assertTrue(html.contains("<tr><td>raw</td><td>58.8</td><td>52.5</td></tr>"), html);
        assertTrue(html.contains("<tr><td>whitened</td><td>74.0</td><td>75.8</td></tr>"), html);

        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(new ObjectMapper().readTree(summary.toJson()).get("zero_shot_stsb"), json.get("zero_shot_stsb"));
        assertEquals(0.525, json.at("/zero_shot_stsb/baseline_spearmanr_raw").asDouble(), 1e-12);
    }

    @Test
    void zeroShotStsbWithoutBaselineLeavesTheBaselineOut() throws Exception {
        GlueSummary summary = glueSummary();
        summary.zeroShot(new ZeroShotSimilarity.Result(0.588, 0.740, 1500));
        Path out = reportWithSummary(summary);

        assertTrue(
                Files.readString(out.resolve("report.md")).contains("| raw | 58.8 | – |\n| whitened | 74.0 | – |\n"));
        assertTrue(Files.readString(out.resolve("report.html"))
                .contains("<tr><td>whitened</td><td>74.0</td><td>–</td></tr>"));
        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(List.of("spearmanr_raw", "spearmanr_whitened", "pairs"), fieldNames(json.get("zero_shot_stsb")));
        assertEquals(0.740, json.at("/zero_shot_stsb/spearmanr_whitened").asDouble(), 1e-12);
        assertEquals(1500, json.at("/zero_shot_stsb/pairs").asInt());
    }

    @Test
    void glueSummaryWithoutZeroShotStsbRendersNoSuchSection() throws Exception {
        Path out = reportWithSummary(glueSummary());
        assertFalse(Files.readString(out.resolve("report.md")).contains("Zero-shot"));
        assertFalse(Files.readString(out.resolve("report.html")).contains("Zero-shot"));
        assertFalse(
                new ObjectMapper().readTree(out.resolve("report.json").toFile()).has("zero_shot_stsb"));
    }

    @Test
    void badInputsExitWithUsageCode() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("not-a-run"));
        assertEquals(
                2,
                ReportCommand.execute(
                        "--run", empty.toString(), "--output", tmp.resolve("o1").toString()));
        assertFalse(Files.exists(tmp.resolve("o1")), "nothing written");

        Path run = Files.createDirectories(tmp.resolve("bad-run"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\": 1, \"loss\": 3}\n{\"step\": x}\n{\"step\": 3}\n");
        assertEquals(
                2,
                ReportCommand.execute(
                        "--run", run.toString(), "--output", tmp.resolve("o2").toString()));
        assertFalse(Files.exists(tmp.resolve("o2")), "nothing written");

        Path goodRun = syntheticRun();
        Path eval = Files.createDirectories(tmp.resolve("bad-eval"));
        Files.writeString(eval.resolve("RTE.json"), "{\"task\": \"RTE\", \"metrics\": {\"f1\": 0.5}}");
        ReportInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                ReportInputException.class,
                () -> new RunReportLoader(new org.apache.hadoop.conf.Configuration())
                        .load(goodRun.toString(), eval.toString()));
        assertTrue(e.getMessage().contains("RTE.json: RTE results have no 'acc' metric"), e.getMessage());
        assertEquals(
                2,
                ReportCommand.execute(
                        "--run",
                        goodRun.toString(),
                        "--eval",
                        eval.toString(),
                        "--output",
                        tmp.resolve("o3").toString()));
        assertEquals(2, ReportCommand.execute("--run", goodRun.toString()), "--output is required");
    }

    @Test
    void evaluateStageDispatchesToReport() throws Exception {
        Path run = syntheticRun();
        Path out = tmp.resolve("via-evaluate");
        assertEquals(0, EvaluateJob.execute("report", "--run", run.toString(), "--output", out.toString()));
        assertTrue(Files.isRegularFile(out.resolve(ReportWriter.JSON)));
        assertEquals(2, EvaluateJob.execute("reprot"));
        assertEquals(2, EvaluateJob.execute());
    }

    // ---- the synthetic run -------------------------------------------------------------------

    /** A run logged every 2 steps, resumed once (steps 501-510 logged twice), its last line cut off by a crash. */
    private Path syntheticRun() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run-" + System.nanoTime()));
        StringBuilder lines = new StringBuilder();
        for (int step = 2; step <= STEPS; step += 2) {
            lines.append(metricsLine(step));
            if (step == 510) {
                for (int again = 502; again <= 510; again += 2) {
                    lines.append(metricsLine(again));
                }
            }
        }
        lines.append("{\"step\": ").append(STEPS + 2).append(", \"loss\": 2.");
        Files.writeString(run.resolve("metrics.jsonl"), lines.toString());
        for (int step : new int[] {100, 300, 600}) {
            Path checkpoint = Files.createDirectories(run.resolve("checkpoints/step-" + step));
            Files.writeString(
                    checkpoint.resolve("config.json"),
                    "{\"architectures\": [\"BertForPreTraining\"], \"num_hidden_layers\": 2, \"hidden_size\": 128, \"num_attention_heads\": 2}");
        }
        return run;
    }

    private static String metricsLine(int step) {
        double progress = (double) step / STEPS;
        double warmup = Math.min(1.0, step / 60.0);
        double lr = 1e-3 * warmup * (1 - progress * 0.9);
        double mlmLoss = 3 + 7.3 * Math.exp(-4 * progress) + 0.15 * Math.sin(step * 0.7);
        double nspLoss = 0.35 + 0.35 * Math.exp(-3 * progress) + 0.03 * Math.cos(step * 1.3);
        return String.format(
                Locale.ROOT,
                "{\"step\": %d, \"loss\": %.5f, \"mlm_loss\": %.5f, \"mlm_accuracy\": %.5f, \"nsp_loss\": %.5f,"
                        + " \"nsp_accuracy\": %.5f, \"lr\": %.7g, \"tokens_per_second\": %.1f, \"elapsed_seconds\": %.2f}\n",
                step,
                mlmLoss + nspLoss,
                mlmLoss,
                0.45 * (1 - Math.exp(-3 * progress)),
                nspLoss,
                0.5 + 0.35 * (1 - Math.exp(-3 * progress)),
                lr,
                5200 + 80 * Math.sin(step),
                step * 0.75);
    }

    /** Perplexity at three checkpoints (one file names its step, two take it from their directory) and five GLUE tasks. */
    private Path syntheticEval() throws Exception {
        Path eval = Files.createDirectories(tmp.resolve("eval"));
        writePerplexity(
                eval.resolve("perplexity/step-100"),
                new PerplexityResult(210.0, -1, "run/checkpoints/step-100", "mlm", 120_000, 7));
        writePerplexity(
                eval.resolve("perplexity/latest"),
                new PerplexityResult(41.5, 300, "run/checkpoints/step-300", "mlm", 120_000, 7));
        Path newest = Files.createDirectories(eval.resolve("perplexity/step-600"));
        Files.writeString(
                newest.resolve(PerplexityResult.FILE_NAME),
                new PerplexityResult(18.25, -1, "run/checkpoints/step-600", "mlm", 120_000, 7)
                        .toJson(java.util.Map.of(
                                "scored",
                                "validation split instances/validation (masks frozen)",
                                "held_out",
                                java.util.Map.of(
                                        "model_nats",
                                        Math.log(18.25),
                                        "unigram_nats",
                                        6.5,
                                        "neighbour_nats",
                                        4.25,
                                        "anisotropy",
                                        0.375,
                                        "effective_rank",
                                        42.5,
                                        "hidden_size",
                                        128))));
        for (GlueResult result : glueResults().values()) {
            Files.writeString(eval.resolve(GlueResult.fileName(result.task())), result.toJson());
        }
        return eval;
    }

    /** The synthetic evaluation with the summary.json that {@code evaluate glue} writes beside its {@code <TASK>.json} files. */
    private Path reportWithSummary(GlueSummary summary) throws Exception {
        Path eval = syntheticEval();
        Files.writeString(eval.resolve(GlueSummary.JSON_FILE), summary.toJson());
        Path out = tmp.resolve("report");
        assertEquals(
                0,
                ReportCommand.execute(
                        "--run", syntheticRun().toString(), "--eval", eval.toString(), "--output", out.toString()));
        return out;
    }

    private static GlueSummary glueSummary() {
        GlueSummary summary = new GlueSummary();
        glueResults().values().forEach(summary::add);
        return summary;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void writePerplexity(Path dir, PerplexityResult result) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(PerplexityResult.FILE_NAME), result.toJson());
    }

    private static Map<GlueTask, GlueResult> glueResults() {
        Map<GlueTask, GlueResult> results = new EnumMap<>(GlueTask.class);
        results.put(
                GlueTask.COLA, new GlueResult(GlueTask.COLA, Map.of("mcc", 0.12), "random-init", Map.of("mcc", 0.0)));
        results.put(
                GlueTask.SST2, new GlueResult(GlueTask.SST2, Map.of("acc", 0.81), "random-init", Map.of("acc", 0.55)));
        results.put(
                GlueTask.MRPC,
                new GlueResult(
                        GlueTask.MRPC,
                        Map.of("acc", 0.70, "f1", 0.80, "acc_and_f1", 0.75),
                        "random-init",
                        Map.of("acc", 0.68, "f1", 0.81, "acc_and_f1", 0.745)));
        results.put(
                GlueTask.STSB,
                new GlueResult(
                        GlueTask.STSB,
                        Map.of("pearson", 0.70, "spearmanr", 0.68, "corr", 0.69),
                        "random-init",
                        Map.of("pearson", 0.12, "spearmanr", 0.10, "corr", 0.11)));
        results.put(
                GlueTask.MNLI,
                new GlueResult(
                        GlueTask.MNLI,
                        Map.of("acc_m", 0.65, "acc_mm", 0.64),
                        "random-init",
                        Map.of("acc_m", 0.55, "acc_mm", 0.56)));
        return results;
    }

    private static double expectedAverage(boolean baseline) {
        Map<GlueTask, Map<String, Double>> metrics = new EnumMap<>(GlueTask.class);
        glueResults().forEach((task, r) -> metrics.put(task, baseline ? r.baselineMetrics() : r.metrics()));
        double byHand = baseline ? (0.0 + 0.55 + 0.745 + 0.11 + 0.555) / 5 : (0.12 + 0.81 + 0.75 + 0.69 + 0.645) / 5;
        assertEquals(byHand, GlueScore.average(metrics).value(), 1e-12);
        assertEquals(5, PublishedScores.BERT_TINY.tasks().size() - 4);
        return byHand;
    }

    // ---- checks on the page ------------------------------------------------------------------

    /** Leaves the page and its screenshot in the build directory, to look at when a check fails. */
    private static void keepForInspection(Path html, Path screenshot) throws Exception {
        Path keep = Files.createDirectories(Path.of(System.getProperty("basedir", "."), "target", "report-test"));
        Files.copy(html, keep.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(screenshot, keep.resolve("screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void assertSelfContained(String html) {
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("<link"), "no linked files");
        assertFalse(html.contains("src="), "no external images");
        assertFalse(
                html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").contains("http"),
                "no URL but the SVG namespace");
    }

    /** Every inline SVG must be well-formed XML: browsers silently drop what they cannot parse. */
    private static int parseEverySvg(String html) throws Exception {
        Matcher m = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
        int count = 0;
        while (m.find()) {
            Document svg = DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)));
            assertEquals("svg", svg.getDocumentElement().getTagName());
            count++;
        }
        return count;
    }

    private static void assertDrawn(BufferedImage shot, PlotBox box, String colour, int minimumPixels) {
        int count = countColour(shot, box, colour);
        assertTrue(
                count >= minimumPixels,
                box.id() + ": only " + count + " pixels of " + colour + " (expected at least " + minimumPixels + ")");
    }

    /** Pixels within a small distance of {@code colour} inside {@code box}. */
    private static int countColour(BufferedImage shot, PlotBox box, String colour) {
        int want = Integer.parseInt(colour.substring(1), 16);
        int count = 0;
        for (int y = box.top(); y < Math.min(shot.getHeight(), box.top() + box.height()); y++) {
            for (int x = box.left(); x < Math.min(shot.getWidth(), box.left() + box.width()); x++) {
                int rgb = shot.getRGB(x, y);
                if (near(rgb >> 16 & 0xff, want >> 16 & 0xff)
                        && near(rgb >> 8 & 0xff, want >> 8 & 0xff)
                        && near(rgb & 0xff, want & 0xff)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean near(int a, int b) {
        return Math.abs(a - b) <= 12;
    }
}
