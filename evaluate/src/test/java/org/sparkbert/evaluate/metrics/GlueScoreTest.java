package org.sparkbert.evaluate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkbert.evaluate.glue.GlueTask;

/** The per-task metric map and the GLUE average convention, checked against published overall scores. */
class GlueScoreTest {

    @Test
    void averageConventionReproducesPublishedOverallScores() {
        // Rounded to one decimal as the model card prints them.
        assertEquals(
                65.8,
                round1(100
                        * GlueScore.average(PublishedScores.BERT_MINI.tasks()).value()));
        assertEquals(
                71.2,
                round1(100
                        * GlueScore.average(PublishedScores.BERT_SMALL.tasks()).value()));
        assertEquals(
                73.5,
                round1(100
                        * GlueScore.average(PublishedScores.BERT_MEDIUM.tasks()).value()));
        // BERT-Tiny's per-task scores average to 64.14; the card prints 64.2 (a rounding on their side).
        assertEquals(
                64.14,
                100 * GlueScore.average(PublishedScores.BERT_TINY.tasks()).value(),
                0.005);
        // Without WNLI (the BERT and Cramming convention) the same row gives another figure:
        Map<GlueTask, Map<String, Double>> noWnli = new EnumMap<>(PublishedScores.BERT_SMALL.tasks());
        noWnli.remove(GlueTask.WNLI);
        assertEquals(72.29, 100 * GlueScore.average(noWnli).value(), 0.01);
        assertTrue(GlueScore.average(PublishedScores.BERT_SMALL.tasks()).complete());
        assertFalse(GlueScore.average(noWnli).complete());
    }

    @Test
    void taskMetricMaps() {
        int[] gold = {1, 0, 1, 1, 0, 1};
        int[] predicted = {1, 1, 1, 0, 0, 1};
        Map<String, Double> mrpc = GlueMetrics.classification(GlueTask.MRPC, gold, predicted);
        assertEquals(List.of("acc", "f1", "acc_and_f1"), List.copyOf(mrpc.keySet()));
        assertEquals(4.0 / 6, mrpc.get("acc"), 1e-12);
        assertEquals(6.0 / 8, mrpc.get("f1"), 1e-12); // tp 3, fp 1, fn 1
        assertEquals((4.0 / 6 + 0.75) / 2, mrpc.get("acc_and_f1"), 1e-12);
        assertEquals((4.0 / 6 + 0.75) / 2, GlueScore.taskScore(GlueTask.MRPC, mrpc), 1e-12);

        Map<String, Double> cola = GlueMetrics.classification(GlueTask.COLA, gold, predicted);
        assertEquals(List.of("mcc"), List.copyOf(cola.keySet()));
        assertEquals(0.25, cola.get("mcc"), 1e-12); // (3*1 - 1*1) / sqrt(4*2*4*2)
        assertEquals(
                List.of("acc"),
                List.copyOf(GlueMetrics.classification(GlueTask.RTE, gold, predicted)
                        .keySet()));

        Map<String, Double> stsb = GlueMetrics.regression(new double[] {0, 1, 2, 3}, new double[] {0, 2, 1, 3});
        assertEquals(List.of("pearson", "spearmanr", "corr"), List.copyOf(stsb.keySet()));
        assertEquals(0.8, stsb.get("pearson"), 1e-12);
        assertEquals(0.8, stsb.get("spearmanr"), 1e-12);

        Map<String, Double> mnli =
                GlueMetrics.mnli(new int[] {0, 1, 2}, new int[] {0, 1, 1}, new int[] {2, 2}, new int[] {2, 2});
        assertEquals(2.0 / 3, mnli.get("acc_m"), 1e-12);
        assertEquals(1.0, mnli.get("acc_mm"), 1e-12);
        assertEquals((2.0 / 3 + 1) / 2, GlueScore.taskScore(GlueTask.MNLI, mnli), 1e-12);

        assertThrows(IllegalArgumentException.class, () -> GlueMetrics.classification(GlueTask.MNLI, gold, predicted));
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class, () -> GlueScore.taskScore(GlueTask.QQP, Map.of("acc", 0.8)));
        assertTrue(missing.getMessage().contains("QQP results have no 'f1' metric"), missing.getMessage());
    }

    @Test
    void publishedRowOfTheSameSize() {
        assertEquals(PublishedScores.BERT_TINY, PublishedScores.sameSize(2, 128));
        assertEquals(PublishedScores.BERT_SMALL, PublishedScores.sameSize(4, 512));
        assertEquals(null, PublishedScores.sameSize(3, 128));
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
