package org.sparkbert.evaluate.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkbert.evaluate.glue.GlueTask;

/**
 * Each GLUE task's own dev metrics (REFERENCE.md section 7, the mapping of Hugging Face's
 * {@code glue_compute_metrics}), as fractions: CoLA "mcc"; SST-2, QNLI, RTE, WNLI "acc"; MRPC and QQP
 * "acc", "f1" and their mean "acc_and_f1"; STS-B "pearson", "spearmanr" and their mean "corr"; MNLI
 * "acc_m" (matched) and "acc_mm" (mismatched). These keys are what {@code <TASK>.json} files hold.
 */
public final class GlueMetrics {
    public static final String MCC = "mcc";
    public static final String ACC = "acc";
    public static final String F1 = "f1";
    public static final String ACC_AND_F1 = "acc_and_f1";
    public static final String PEARSON = "pearson";
    public static final String SPEARMAN = "spearmanr";
    public static final String CORR = "corr";
    public static final String ACC_MATCHED = "acc_m";
    public static final String ACC_MISMATCHED = "acc_mm";
    /** The order in which results list their metrics. */
    public static final List<String> ORDER =
            List.of(MCC, ACC, F1, ACC_AND_F1, PEARSON, SPEARMAN, CORR, ACC_MATCHED, ACC_MISMATCHED);

    private GlueMetrics() {}

    /** The same metrics listed in {@link #ORDER}, any other keys after them in their own order. */
    public static Map<String, Double> ordered(Map<String, Double> metrics) {
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String key : ORDER) {
            if (metrics.containsKey(key)) {
                ordered.put(key, metrics.get(key));
            }
        }
        ordered.putAll(metrics);
        return ordered;
    }

    /** Metrics of a classification task with one dev file (every task but STS-B and MNLI). */
    public static Map<String, Double> classification(GlueTask task, int[] gold, int[] predicted) {
        if (task.isRegression() || task == GlueTask.MNLI) {
            throw new IllegalArgumentException(
                    task + " is scored with " + (task.isRegression() ? "regression()" : "mnli()"));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        switch (task) {
            case COLA -> metrics.put(MCC, MatthewsCorrelation.of(gold, predicted));
            case MRPC, QQP -> {
                double acc = Accuracy.of(gold, predicted);
                double f1 = BinaryF1.of(gold, predicted);
                metrics.put(ACC, acc);
                metrics.put(F1, f1);
                metrics.put(ACC_AND_F1, (acc + f1) / 2);
            }
            default -> metrics.put(ACC, Accuracy.of(gold, predicted));
        }
        return metrics;
    }

    /** STS-B's metrics on predicted similarity scores. */
    public static Map<String, Double> regression(double[] gold, double[] predicted) {
        double pearson = PearsonCorrelation.of(gold, predicted);
        double spearman = SpearmanCorrelation.of(gold, predicted);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(PEARSON, pearson);
        metrics.put(SPEARMAN, spearman);
        metrics.put(CORR, (pearson + spearman) / 2);
        return metrics;
    }

    /** MNLI's accuracies on dev_matched and dev_mismatched. */
    public static Map<String, Double> mnli(
            int[] goldMatched, int[] predictedMatched, int[] goldMismatched, int[] predictedMismatched) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(ACC_MATCHED, Accuracy.of(goldMatched, predictedMatched));
        metrics.put(ACC_MISMATCHED, Accuracy.of(goldMismatched, predictedMismatched));
        return metrics;
    }
}
