package org.sparkbert.evaluate.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.sparkbert.evaluate.glue.GlueTask;

/**
 * One number per task and their average, by the GLUE leaderboard's convention: a task with two
 * metrics scores their mean (MRPC and QQP: accuracy and F1; STS-B: Pearson and Spearman), MNLI is one
 * task scoring the mean of its matched and mismatched accuracies, WNLI counts like any task, the
 * diagnostic set (AX) does not, and the overall score is the unweighted mean over tasks. This
 * convention reproduces the published overall scores of BERT-Mini (65.8), BERT-Small (71.2) and
 * BERT-Medium (73.5) from their per-task scores (REFERENCE.md section 6; see GlueScoreTest). BERT and
 * Cramming instead leave WNLI out: pass the map without WNLI for that figure.
 * Over a subset of tasks the average is taken over the tasks given; {@link GlueAverage#complete()} says so.
 */
public final class GlueScore {
    private GlueScore() {}

    /** The task's single score (a fraction) from its metrics as {@link GlueMetrics} names them. */
    public static double taskScore(GlueTask task, Map<String, Double> metrics) {
        return switch (task) {
            case COLA -> metric(task, metrics, GlueMetrics.MCC);
            case MRPC, QQP -> (metric(task, metrics, GlueMetrics.ACC) + metric(task, metrics, GlueMetrics.F1)) / 2;
            case STSB -> (metric(task, metrics, GlueMetrics.PEARSON) + metric(task, metrics, GlueMetrics.SPEARMAN)) / 2;
            case MNLI ->
                (metric(task, metrics, GlueMetrics.ACC_MATCHED) + metric(task, metrics, GlueMetrics.ACC_MISMATCHED))
                        / 2;
            default -> metric(task, metrics, GlueMetrics.ACC);
        };
    }

    /** The unweighted mean of the task scores of the tasks in {@code results}. */
    public static GlueAverage average(Map<GlueTask, Map<String, Double>> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no GLUE task results to average");
        }
        Map<GlueTask, Map<String, Double>> ordered = new EnumMap<>(results);
        double sum = 0;
        List<GlueTask> tasks = new ArrayList<>();
        for (Map.Entry<GlueTask, Map<String, Double>> e : ordered.entrySet()) {
            sum += taskScore(e.getKey(), e.getValue());
            tasks.add(e.getKey());
        }
        return new GlueAverage(sum / tasks.size(), List.copyOf(tasks));
    }

    private static double metric(GlueTask task, Map<String, Double> metrics, String key) {
        Double value = metrics.get(key);
        if (value == null) {
            throw new IllegalArgumentException(
                    task + " results have no '" + key + "' metric (they have " + metrics.keySet() + ")");
        }
        return value;
    }
}
