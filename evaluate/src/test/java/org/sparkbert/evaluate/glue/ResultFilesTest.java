package org.sparkbert.evaluate.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkbert.evaluate.perplexity.PerplexityResult;

/** The {@code <TASK>.json} and {@code perplexity.json} contracts between the evaluation jobs and the report. */
class ResultFilesTest {

    @Test
    void glueResultRoundTripsWithMetricsInCanonicalOrder() {
        GlueResult result = new GlueResult(
                GlueTask.QQP, Map.of("f1", 0.62, "acc", 0.83), "random-init", Map.of("acc", 0.63, "f1", 0.1));
        assertEquals(List.of("acc", "f1"), List.copyOf(result.metrics().keySet()));
        String json = result.toJson();
        assertTrue(json.contains("\"task\" : \"QQP\""), json);
        assertTrue(json.contains("\"score\" : 0.725"), json);
        GlueResult back = GlueResult.fromJson(json, "QQP.json");
        assertEquals(result, back);
        assertEquals(0.365, back.baselineScore(), 1e-12);
        assertEquals("QQP.json", GlueResult.fileName(GlueTask.QQP));

        GlueResult plain =
                GlueResult.fromJson("{\"task\": \"rte\", \"metrics\": {\"acc\": 0.6}, \"epochs\": 3}", "RTE.json");
        assertFalse(plain.hasBaseline());
        assertTrue(Double.isNaN(plain.baselineScore()));
    }

    @Test
    void glueResultErrorsNameTheFile() {
        assertMessage("x/SST-2.json: not valid JSON", () -> GlueResult.fromJson("{\"task\": ", "x/SST-2.json"));
        assertMessage(
                "x/SNLI.json: unknown GLUE task 'SNLI'",
                () -> GlueResult.fromJson("{\"task\": \"SNLI\", \"metrics\": {}}", "x/SNLI.json"));
        assertMessage(
                "x/CoLA.json: CoLA results have no 'mcc' metric",
                () -> GlueResult.fromJson("{\"task\": \"CoLA\", \"metrics\": {\"acc\": 0.7}}", "x/CoLA.json"));
        assertMessage(
                "x/CoLA.json: metric 'mcc' in \"metrics\" is not a number",
                () -> GlueResult.fromJson("{\"task\": \"CoLA\", \"metrics\": {\"mcc\": \"high\"}}", "x/CoLA.json"));
        assertMessage(
                "x/RTE.json: the baseline's \"metrics\" must be an object of numbers",
                () -> GlueResult.fromJson(
                        "{\"task\": \"RTE\", \"metrics\": {\"acc\": 0.6}, \"baseline\": {\"name\": \"random-init\"}}",
                        "x/RTE.json"));
        assertMessage(
                "x/a.json: expected {\"task\": ..., \"metrics\": {...}}",
                () -> GlueResult.fromJson("[1, 2]", "x/a.json"));
    }

    @Test
    void perplexityResultRoundTripsAndRefusesNonsense() {
        PerplexityResult result = new PerplexityResult(
                23.25, 1000, "hdfs://nn/run/checkpoints/step-1000", PerplexityResult.PSEUDO, 51_234, 42);
        assertEquals(result, PerplexityResult.fromJson(result.toJson(), "perplexity.json"));
        PerplexityResult minimal = PerplexityResult.fromJson("{\"perplexity\": 12.5}", "p.json");
        assertEquals(-1, minimal.step());
        assertEquals(PerplexityResult.MLM, minimal.definition());
        assertMessage(
                "p.json: a perplexity is a finite number >= 1",
                () -> PerplexityResult.fromJson("{\"perplexity\": 0.5}", "p.json"));
        assertMessage(
                "p.json: perplexity definition must be 'mlm' or 'pseudo'",
                () -> PerplexityResult.fromJson("{\"perplexity\": 5, \"definition\": \"causal\"}", "p.json"));
        assertMessage(
                "p.json: expected a JSON object with a number \"perplexity\"",
                () -> PerplexityResult.fromJson("{\"value\": 5}", "p.json"));
    }

    private static void assertMessage(String start, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
