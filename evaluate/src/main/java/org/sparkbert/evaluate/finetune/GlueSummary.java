package org.sparkbert.evaluate.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.metrics.GlueAverage;
import org.sparkbert.evaluate.metrics.GlueScore;

/**
 * The run's overview: each task's GLUE score and the average over the tasks run (and the baseline's),
 * and zero-shot STS-B when it was measured (and the random-init baseline's, when that ran too).
 * Written as summary.json for pipelines and summary.md for people.
 */
public final class GlueSummary {
    public static final String JSON_FILE = "summary.json";
    public static final String MARKDOWN_FILE = "summary.md";
    /** summary.json's list of --seeds lines, one per task: medians, paired difference, collapsed runs. */
    public static final String SEEDS = "seeds";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<GlueTask, GlueResult> results = new EnumMap<>(GlueTask.class);
    private ZeroShotSimilarity.Result zeroShot;
    private final java.util.List<SeedStudy> studies = new java.util.ArrayList<>();
    private ZeroShotSimilarity.Result zeroShotBaseline;

    public void add(GlueResult result) {
        results.put(result.task(), result);
    }

    /** A task's --seeds / --lr-grid figures, a line of summary.md each. */
    void seeds(SeedStudy study) {
        studies.add(study);
    }

    public void zeroShot(ZeroShotSimilarity.Result result) {
        zeroShot = result;
    }

    public void zeroShotBaseline(ZeroShotSimilarity.Result result) {
        zeroShotBaseline = result;
    }

    public GlueAverage average() {
        Map<GlueTask, Map<String, Double>> metrics = new EnumMap<>(GlueTask.class);
        results.forEach((task, r) -> metrics.put(task, r.metrics()));
        return GlueScore.average(metrics);
    }

    /** The baseline's average over the same tasks, or NaN when the run had no baseline. */
    public double baselineAverage() {
        Map<GlueTask, Map<String, Double>> metrics = new EnumMap<>(GlueTask.class);
        for (GlueResult r : results.values()) {
            if (!r.hasBaseline()) {
                return Double.NaN;
            }
            metrics.put(r.task(), r.baselineMetrics());
        }
        return GlueScore.average(metrics).value();
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode scores = root.putObject("scores");
        results.forEach((task, r) -> scores.put(task.displayName(), r.score()));
        GlueAverage average = average();
        root.put("glue_average", average.value());
        root.put("complete", average.complete());
        double baseline = baselineAverage();
        if (!Double.isNaN(baseline)) {
            ObjectNode baselineScores = root.putObject("baseline_scores");
            results.forEach((task, r) -> baselineScores.put(task.displayName(), r.baselineScore()));
            root.put("baseline_average", baseline);
        }
        if (zeroShot != null) {
            root.set("zero_shot_stsb", zeroShotJson(zeroShot, zeroShotBaseline));
        }
        if (!studies.isEmpty()) {
            var lines = root.putArray(SEEDS);
            studies.forEach(study -> lines.add(study.line()));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * summary.json's {@code zero_shot_stsb} object (report.json copies it): the checkpoint's figures, and
     * the random-init baseline's when there is one (else null).
     */
    public static ObjectNode zeroShotJson(ZeroShotSimilarity.Result checkpoint, ZeroShotSimilarity.Result baseline) {
        ObjectNode z = JSON.createObjectNode();
        z.put("spearmanr_raw", checkpoint.spearmanRaw());
        z.put("spearmanr_whitened", checkpoint.spearmanWhitened());
        z.put("pairs", checkpoint.pairs());
        if (baseline != null) {
            z.put("baseline_spearmanr_raw", baseline.spearmanRaw());
            z.put("baseline_spearmanr_whitened", baseline.spearmanWhitened());
        }
        return z;
    }

    public String toMarkdown() {
        boolean baseline = !Double.isNaN(baselineAverage());
        StringBuilder md = new StringBuilder("# GLUE dev results\n\n");
        md.append(
                baseline
                        ? "| task | metrics | score | random-init score |\n| --- | --- | ---: | ---: |\n"
                        : "| task | metrics | score |\n| --- | --- | ---: |\n");
        for (GlueResult r : results.values()) {
            StringBuilder metrics = new StringBuilder();
            r.metrics()
                    .forEach((k, v) -> metrics.append(metrics.isEmpty() ? "" : ", ")
                            .append(k)
                            .append(' ')
                            .append(percent(v)));
            md.append("| ")
                    .append(r.task().displayName())
                    .append(" | ")
                    .append(metrics)
                    .append(" | ")
                    .append(percent(r.score()));
            md.append(baseline ? " | " + percent(r.baselineScore()) + " |\n" : " |\n");
        }
        md.append("\nGLUE average over ")
                .append(results.size())
                .append(" task(s): ")
                .append(percent(average().value()));
        md.append(baseline ? " (random-init baseline: " + percent(baselineAverage()) + ")\n" : "\n");
        if (!studies.isEmpty()) {
            md.append("\nEach arm's median over its seeds (the table's figures are the median run's):\n\n");
            studies.forEach(study -> md.append("- ").append(study.line()).append('\n'));
        }
        if (zeroShot != null) {
            md.append("\nZero-shot STS-B (cosine of mean-pooled vectors, no fine-tuning), Spearman: raw ")
                    .append(percent(zeroShot.spearmanRaw()))
                    .append(baselineInBrackets(ZeroShotSimilarity.Result::spearmanRaw))
                    .append(", whitened ")
                    .append(percent(zeroShot.spearmanWhitened()))
                    .append(baselineInBrackets(ZeroShotSimilarity.Result::spearmanWhitened))
                    .append(" (")
                    .append(zeroShot.pairs())
                    .append(" dev pairs)\n");
        }
        return md.toString();
    }

    /** The random-init baseline's figure in brackets after the checkpoint's, as the average line has it; empty without one. */
    private String baselineInBrackets(ToDoubleFunction<ZeroShotSimilarity.Result> figure) {
        return zeroShotBaseline == null
                ? ""
                : " (random-init baseline: " + percent(figure.applyAsDouble(zeroShotBaseline)) + ")";
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }
}
