package org.sparkbert.evaluate.report;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.metrics.GlueScore;
import org.sparkbert.evaluate.metrics.PublishedScores;

/**
 * The GLUE comparison a report shows: per task our dev score, the random-init baseline's, and the
 * published compact BERTs' test scores; then each column's average over the same tasks (so that a
 * run that evaluated three tasks is set beside the published models' average over those three).
 * All values are fractions; NaN where a column has no value.
 */
public record GlueTable(
        List<Row> rows,
        double average,
        double baselineAverage,
        Map<String, Double> publishedAverages,
        boolean complete) {

    public record Row(GlueTask task, GlueResult result, Map<String, Double> published) {}

    public static GlueTable of(Map<GlueTask, GlueResult> results) {
        if (results.isEmpty()) {
            return new GlueTable(List.of(), Double.NaN, Double.NaN, Map.of(), false);
        }
        Map<GlueTask, Map<String, Double>> ours = new EnumMap<>(GlueTask.class);
        Map<GlueTask, Map<String, Double>> baseline = new EnumMap<>(GlueTask.class);
        List<Row> rows = new ArrayList<>();
        for (GlueResult result : new EnumMap<>(results).values()) {
            ours.put(result.task(), result.metrics());
            if (result.hasBaseline()) {
                baseline.put(result.task(), result.baselineMetrics());
            }
            Map<String, Double> published = new LinkedHashMap<>();
            for (PublishedScores model : PublishedScores.reportRows()) {
                published.put(
                        model.name(),
                        GlueScore.taskScore(result.task(), model.tasks().get(result.task())));
            }
            rows.add(new Row(result.task(), result, published));
        }
        Map<String, Double> publishedAverages = new LinkedHashMap<>();
        for (PublishedScores model : PublishedScores.reportRows()) {
            Map<GlueTask, Map<String, Double>> sameTasks = new EnumMap<>(GlueTask.class);
            ours.keySet().forEach(task -> sameTasks.put(task, model.tasks().get(task)));
            publishedAverages.put(model.name(), GlueScore.average(sameTasks).value());
        }
        double baselineAverage =
                baseline.size() == ours.size() ? GlueScore.average(baseline).value() : Double.NaN;
        return new GlueTable(
                List.copyOf(rows),
                GlueScore.average(ours).value(),
                baselineAverage,
                publishedAverages,
                GlueScore.average(ours).complete());
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public boolean hasBaseline() {
        return !Double.isNaN(baselineAverage);
    }
}
