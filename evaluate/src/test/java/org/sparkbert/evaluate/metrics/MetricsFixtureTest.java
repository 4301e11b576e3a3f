package org.sparkbert.evaluate.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our metrics against scikit-learn and SciPy on the seeded inputs of scripts/fixtures/glue_metrics.py
 * (ties, one-class predictions, one-class gold, perfect and inverted predictions, three classes).
 */
class MetricsFixtureTest {
    private static final double TOLERANCE = 1e-9;
    private static JsonNode fixture;

    @BeforeAll
    static void readFixture() throws Exception {
        try (InputStream in = MetricsFixtureTest.class.getResourceAsStream("/glue_metrics.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void classificationMetricsMatchScikitLearn() {
        int cases = 0;
        int degenerateMcc = 0;
        for (JsonNode c : fixture.get("classification")) {
            String name = c.get("name").asText();
            int[] gold = ints(c.get("gold"));
            int[] predicted = ints(c.get("predicted"));
            assertEquals(c.get("accuracy").asDouble(), Accuracy.of(gold, predicted), TOLERANCE, name + " accuracy");
            assertEquals(c.get("mcc").asDouble(), MatthewsCorrelation.of(gold, predicted), TOLERANCE, name + " MCC");
            if (c.has("f1")) {
                assertEquals(c.get("f1").asDouble(), BinaryF1.of(gold, predicted), TOLERANCE, name + " F1");
            }
            if (c.get("mcc").asDouble() == 0.0) {
                degenerateMcc++;
            }
            cases++;
        }
        assertEquals(11, cases);
        assertEquals(3, degenerateMcc, "all-positive, all-negative predictions and one-class gold give MCC 0");
    }

    @Test
    void correlationsMatchSciPy() {
        int cases = 0;
        for (JsonNode c : fixture.get("correlation")) {
            String name = c.get("name").asText();
            double[] gold = doubles(c.get("gold"));
            double[] predicted = doubles(c.get("predicted"));
            assertEquals(
                    expectedCorrelation(c.get("pearson")),
                    PearsonCorrelation.of(gold, predicted),
                    TOLERANCE,
                    name + " Pearson");
            assertEquals(
                    expectedCorrelation(c.get("spearman")),
                    SpearmanCorrelation.of(gold, predicted),
                    TOLERANCE,
                    name + " Spearman");
            cases++;
        }
        assertEquals(9, cases);
    }

    /** SciPy's NaN for a constant input (null in the fixture) is our documented 0. */
    private static double expectedCorrelation(JsonNode value) {
        return value.isNull() ? 0.0 : value.asDouble();
    }

    @Test
    void averageRanksShareTies() {
        assertArrayEquals(
                new double[] {2.5, 1, 2.5, 5, 5, 5, 7}, AverageRanks.of(new double[] {0.4, 0.1, 0.4, 3, 3, 3, 9}));
    }

    @Test
    void mismatchedOrEmptyInputsAreRejected() {
        IllegalArgumentException lengths =
                assertThrows(IllegalArgumentException.class, () -> Accuracy.of(new int[] {1, 0}, new int[] {1}));
        assertTrue(lengths.getMessage().contains("2 gold values but 1 predictions"), lengths.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatthewsCorrelation.of(new int[0], new int[0]));
        IllegalArgumentException nan = assertThrows(
                IllegalArgumentException.class,
                () -> PearsonCorrelation.of(new double[] {1, 2}, new double[] {Double.NaN, 1}));
        assertTrue(nan.getMessage().contains("finite"), nan.getMessage());
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }
}
