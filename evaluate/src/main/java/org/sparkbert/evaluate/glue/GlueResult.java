package org.sparkbert.evaluate.glue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkbert.evaluate.metrics.GlueMetrics;
import org.sparkbert.evaluate.metrics.GlueScore;

/**
 * One task's dev results, the content of {@code <TASK>.json} (e.g. {@code SST-2.json}):
 * <pre>{"task": "SST-2", "metrics": {"acc": 0.81}, "score": 0.81,
 *  "baseline": {"name": "random-init", "metrics": {"acc": 0.62}, "score": 0.62}}</pre>
 * Metrics are fractions under {@link org.sparkbert.evaluate.metrics.GlueMetrics}'s keys; "score" is the
 * task's single GLUE score (written for readers, recomputed on reading); "baseline" is present when
 * the same run also fine-tuned a baseline (random initialisation). Other fields are ignored on reading,
 * so a job may add its hyper-parameters.
 */
public record GlueResult(
        GlueTask task, Map<String, Double> metrics, String baselineName, Map<String, Double> baselineMetrics) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public GlueResult {
        metrics = Collections.unmodifiableMap(GlueMetrics.ordered(metrics));
        GlueScore.taskScore(task, metrics);
        if (baselineMetrics != null) {
            baselineMetrics = Collections.unmodifiableMap(GlueMetrics.ordered(baselineMetrics));
            GlueScore.taskScore(task, baselineMetrics);
        }
    }

    public static GlueResult withoutBaseline(GlueTask task, Map<String, Double> metrics) {
        return new GlueResult(task, metrics, null, null);
    }

    public boolean hasBaseline() {
        return baselineMetrics != null;
    }

    public double score() {
        return GlueScore.taskScore(task, metrics);
    }

    public double baselineScore() {
        return hasBaseline() ? GlueScore.taskScore(task, baselineMetrics) : Double.NaN;
    }

    /** The file name this result is written under: {@code <TASK>.json}. */
    public static String fileName(GlueTask task) {
        return task.displayName() + ".json";
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("task", task.displayName());
        root.set("metrics", metricsNode(metrics));
        root.put("score", score());
        if (hasBaseline()) {
            ObjectNode baseline = root.putObject("baseline");
            baseline.put("name", baselineName);
            baseline.set("metrics", metricsNode(baselineMetrics));
            baseline.put("score", baselineScore());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a {@code <TASK>.json} text; {@code source} names the file in error messages. */
    public static GlueResult fromJson(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null
                || !root.isObject()
                || !root.path("task").isTextual()
                || !root.path("metrics").isObject()) {
            throw new IllegalArgumentException(
                    source + ": expected {\"task\": ..., \"metrics\": {...}} as a GLUE task result");
        }
        try {
            GlueTask task = GlueTask.fromName(root.get("task").asText());
            Map<String, Double> metrics = metricsOf(root.get("metrics"), "\"metrics\"");
            JsonNode baseline = root.path("baseline");
            if (baseline.isMissingNode() || baseline.isNull()) {
                return withoutBaseline(task, metrics);
            }
            String name = baseline.path("name").asText("baseline");
            return new GlueResult(
                    task, metrics, name, metricsOf(baseline.path("metrics"), "the baseline's \"metrics\""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> metricsOf(JsonNode node, String what) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(what + " must be an object of numbers");
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isNumber()) {
                throw new IllegalArgumentException("metric '" + field.getKey() + "' in " + what + " is not a number");
            }
            metrics.put(field.getKey(), field.getValue().asDouble());
        }
        return metrics;
    }

    private static ObjectNode metricsNode(Map<String, Double> metrics) {
        ObjectNode node = JSON.createObjectNode();
        metrics.forEach(node::put);
        return node;
    }
}
