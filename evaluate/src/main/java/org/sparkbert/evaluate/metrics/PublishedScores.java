package org.sparkbert.evaluate.metrics;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.sparkbert.evaluate.glue.GlueTask;

/**
 * GLUE test-set scores of Google's compact BERTs (Turc et al. 2019, "Well-Read Students Learn
 * Better", as on the model card of google/bert_uncased_L-2_H-128_A-2; REFERENCE.md section 6), as
 * fractions under {@link GlueMetrics}'s keys. These are test-set scores, ours are dev-set scores: a
 * yardstick, not a like-for-like comparison. WNLI is 62.3 for all (the majority class).
 */
public record PublishedScores(
        String name, int layers, int hidden, double overall, Map<GlueTask, Map<String, Double>> tasks) {

    public static final PublishedScores BERT_TINY =
            of("BERT-Tiny", 2, 128, 64.2, 0.0, 83.2, 81.1, 71.1, 74.3, 73.6, 62.2, 83.4, 70.2, 70.3, 81.5, 57.2);
    public static final PublishedScores BERT_MINI =
            of("BERT-Mini", 4, 256, 65.8, 0.0, 85.9, 81.1, 71.8, 75.4, 73.3, 66.4, 86.2, 74.8, 74.3, 84.1, 57.9);
    public static final PublishedScores BERT_SMALL =
            of("BERT-Small", 4, 512, 71.2, 27.8, 89.7, 83.4, 76.2, 78.8, 77.0, 68.1, 87.0, 77.6, 77.0, 86.4, 61.8);
    public static final PublishedScores BERT_MEDIUM =
            of("BERT-Medium", 8, 512, 73.5, 38.0, 89.6, 86.6, 81.6, 80.4, 78.4, 69.6, 87.9, 80.0, 79.1, 87.7, 62.2);

    private static final double WNLI_MAJORITY = 62.3;

    /** Tiny, Mini and Small: the published rows a report sets beside a small pretraining run. */
    public static List<PublishedScores> reportRows() {
        return List.of(BERT_TINY, BERT_MINI, BERT_SMALL);
    }

    public static List<PublishedScores> all() {
        return List.of(BERT_TINY, BERT_MINI, BERT_SMALL, BERT_MEDIUM);
    }

    /** The published model of exactly this depth and width, or null. */
    public static PublishedScores sameSize(int layers, int hidden) {
        for (PublishedScores row : all()) {
            if (row.layers == layers && row.hidden == hidden) {
                return row;
            }
        }
        return null;
    }

    /** Arguments in the model card's column order, in percent: MRPC and QQP F1 before accuracy, STS-B Pearson before Spearman. */
    private static PublishedScores of(
            String name,
            int layers,
            int hidden,
            double overall,
            double cola,
            double sst2,
            double mrpcF1,
            double mrpcAcc,
            double stsbPearson,
            double stsbSpearman,
            double qqpF1,
            double qqpAcc,
            double mnliM,
            double mnliMm,
            double qnli,
            double rte) {
        Map<GlueTask, Map<String, Double>> tasks = new EnumMap<>(GlueTask.class);
        tasks.put(GlueTask.COLA, Map.of(GlueMetrics.MCC, cola / 100));
        tasks.put(GlueTask.SST2, Map.of(GlueMetrics.ACC, sst2 / 100));
        tasks.put(GlueTask.MRPC, Map.of(GlueMetrics.F1, mrpcF1 / 100, GlueMetrics.ACC, mrpcAcc / 100));
        tasks.put(
                GlueTask.STSB,
                Map.of(GlueMetrics.PEARSON, stsbPearson / 100, GlueMetrics.SPEARMAN, stsbSpearman / 100));
        tasks.put(GlueTask.QQP, Map.of(GlueMetrics.F1, qqpF1 / 100, GlueMetrics.ACC, qqpAcc / 100));
        tasks.put(
                GlueTask.MNLI, Map.of(GlueMetrics.ACC_MATCHED, mnliM / 100, GlueMetrics.ACC_MISMATCHED, mnliMm / 100));
        tasks.put(GlueTask.QNLI, Map.of(GlueMetrics.ACC, qnli / 100));
        tasks.put(GlueTask.RTE, Map.of(GlueMetrics.ACC, rte / 100));
        tasks.put(GlueTask.WNLI, Map.of(GlueMetrics.ACC, WNLI_MAJORITY / 100));
        return new PublishedScores(name, layers, hidden, overall, Collections.unmodifiableMap(tasks));
    }
}
