package org.sparkbert.evaluate.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingLogReaderTest {

    @Test
    void readsFieldsInStepOrderAndMissingFieldsAreNaN() {
        TrainingLog log = TrainingLogReader.parse("""
                {"step": 20, "loss": 7.5, "mlm_loss": 7.0, "mlm_accuracy": 0.1, "lr": 2e-4, "tokens_per_second": 5000, "elapsed_seconds": 12.5}
                {"step": 10, "loss": 9.25, "mlm_loss": 8.5, "mlm_accuracy": 0.05, "nsp_loss": 0.75, "nsp_accuracy": 0.5, "lr": 1e-4, "tokens_per_second": 4800, "elapsed_seconds": 6}

                """, "run/metrics.jsonl");
        assertEquals(
                List.of(10L, 20L),
                log.points().stream().map(TrainingPoint::step).toList());
        TrainingPoint first = log.first();
        assertEquals(9.25, first.loss());
        assertEquals(0.75, first.nspLoss());
        assertEquals(6.0, first.elapsedSeconds());
        assertTrue(Double.isNaN(log.last().nspLoss()), "absent nsp_loss");
        assertEquals(0, log.replacedSteps());
        assertFalse(log.truncatedLastLine());
    }

    @Test
    void resumedRunKeepsTheLaterLineOfAStepAndTruncatedLastLineIsLeftOut() {
        TrainingLog log = TrainingLogReader.parse("""
                {"step": 1, "loss": 10.0}
                {"step": 2, "loss": 9.0}
                {"step": 2, "loss": 8.5}
                {"step": 3, "loss": NaN}
                {"step": 4, "lo""", "m.jsonl");
        assertEquals(3, log.points().size());
        assertEquals(8.5, log.points().get(1).loss());
        assertTrue(Double.isNaN(log.last().loss()), "a diverged run's NaN loss is read");
        assertEquals(1, log.replacedSteps());
        assertTrue(log.truncatedLastLine());
    }

    @Test
    void malformedLinesNameFileAndLine() {
        ReportInputException json = assertThrows(
                ReportInputException.class,
                () -> TrainingLogReader.parse("{\"step\": 1}\n{\"step\": 2,\n{\"step\": 3}\n", "run/metrics.jsonl"));
        assertTrue(json.getMessage().startsWith("run/metrics.jsonl:2: not a JSON object"), json.getMessage());
        ReportInputException step = assertThrows(
                ReportInputException.class,
                () -> TrainingLogReader.parse("{\"step\": 1}\n{\"loss\": 2.0}\n", "run/metrics.jsonl"));
        assertEquals("run/metrics.jsonl:2: every line needs an integer \"step\"", step.getMessage());
        ReportInputException type = assertThrows(
                ReportInputException.class,
                () -> TrainingLogReader.parse("{\"step\": 1, \"lr\": \"fast\"}\n", "m.jsonl"));
        assertTrue(type.getMessage().startsWith("m.jsonl:1: \"lr\" must be a number"), type.getMessage());
    }

    @Test
    void evalRecordsAreValidationPointsNotTrainingSteps() {
        TrainingLog log = TrainingLogReader.parse("""
                {"step": 10, "loss": 7.0, "mlm_loss": 6.0}
                {"step": 10, "kind": "eval", "mlm_loss": 6.5}
                {"step": 20, "loss": 6.0, "mlm_loss": 5.0}
                """, "metrics.jsonl");
        assertEquals(2, log.points().size());
        assertEquals(0, log.replacedSteps());
        assertEquals(6.0, log.points().get(0).mlmLoss());
        assertEquals(1, log.validation().size());
        assertEquals(6.5, log.validation().get(0).mlmLoss());
    }
}
