package org.sparkbert.evaluate.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.sparkbert.evaluate.finetune.GlueSummary;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.metrics.PublishedScores;
import org.sparkbert.evaluate.perplexity.PerplexityResult;

/**
 * report.json: the report for machines. Scores are fractions (as in the {@code <TASK>.json} files);
 * a value the inputs do not have is null, but {@code zero_shot_stsb} keeps summary.json's shape: absent
 * without the figures, and without its baseline keys when the run had no baseline.
 */
final class ReportJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportJson() {}

    static String render(RunReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("run", report.runDir());
        root.put("eval", report.evalDir());
        root.set("model", model(report));
        root.set("training", training(TrainingSummary.of(report.training())));
        ArrayNode perplexity = root.putArray("perplexity");
        for (PerplexityResult r : report.perplexity()) {
            ObjectNode node = perplexity.addObject();
            node.put("step", r.step());
            node.put("perplexity", r.perplexity());
            node.put("definition", r.definition());
            node.put("tokens_scored", r.tokensScored());
            node.put("seed", r.seed());
            node.put("checkpoint", r.checkpoint());
        }
        root.set("glue", glue(GlueTable.of(report.glue())));
        if (report.zeroShotStsb() != null) {
            root.set(
                    "zero_shot_stsb",
                    GlueSummary.zeroShotJson(
                            report.zeroShotStsb().checkpoint(),
                            report.zeroShotStsb().baseline()));
        }
        ArrayNode notes = root.putArray("notes");
        report.notes().forEach(notes::add);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode model(RunReport report) {
        ObjectNode node = JSON.createObjectNode();
        if (report.model() == null) {
            node.putNull("layers");
            node.putNull("hidden_size");
            node.putNull("published_same_size");
            return node;
        }
        node.put("layers", report.model().layers());
        node.put("hidden_size", report.model().hidden());
        PublishedScores same =
                PublishedScores.sameSize(report.model().layers(), report.model().hidden());
        node.put("published_same_size", same == null ? null : same.name());
        return node;
    }

    private static ObjectNode training(TrainingSummary s) {
        ObjectNode node = JSON.createObjectNode();
        node.put("points", s.points());
        node.put("first_step", s.firstStep());
        node.put("last_step", s.lastStep());
        put(node, "first_loss", s.firstLoss());
        put(node, "last_loss", s.lastLoss());
        put(node, "min_loss", s.minLoss());
        node.put("min_loss_step", s.minLossStep());
        put(node, "last_mlm_accuracy", s.lastMlmAccuracy());
        put(node, "last_nsp_accuracy", s.lastNspAccuracy());
        put(node, "peak_lr", s.peakLearningRate());
        put(node, "last_lr", s.lastLearningRate());
        put(node, "mean_tokens_per_second", s.meanTokensPerSecond());
        put(node, "elapsed_seconds", s.elapsedSeconds());
        return node;
    }

    private static ObjectNode glue(GlueTable table) {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode tasks = node.putObject("tasks");
        for (GlueTable.Row row : table.rows()) {
            GlueResult r = row.result();
            ObjectNode task = tasks.putObject(r.task().displayName());
            task.set("metrics", numbers(r.metrics()));
            task.put("score", r.score());
            if (r.hasBaseline()) {
                ObjectNode baseline = task.putObject("baseline");
                baseline.put("name", r.baselineName());
                baseline.set("metrics", numbers(r.baselineMetrics()));
                baseline.put("score", r.baselineScore());
            }
            task.set("published", numbers(row.published()));
        }
        put(node, "average", table.average());
        put(node, "baseline_average", table.baselineAverage());
        node.set("published_average_same_tasks", numbers(table.publishedAverages()));
        node.put("complete", table.complete());
        node.put(
                "average_convention",
                "unweighted mean of task scores over the tasks evaluated; MRPC, QQP: mean of acc and f1;"
                        + " STS-B: mean of pearson and spearmanr; MNLI: one task, mean of acc_m and acc_mm; WNLI included (GLUE leaderboard)");
        return node;
    }

    private static ObjectNode numbers(Map<String, Double> values) {
        ObjectNode node = JSON.createObjectNode();
        values.forEach((k, v) -> put(node, k, v));
        return node;
    }

    private static void put(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }
}
