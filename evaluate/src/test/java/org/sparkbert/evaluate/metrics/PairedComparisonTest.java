package org.sparkbert.evaluate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Against values worked by hand with the t table (t(0.975, 2) = 4.302652729749464,
 * t(0.975, 4) = 2.7764451051977987, as scipy.stats.t.ppf gives them).
 */
class PairedComparisonTest {

    /** Differences 0.02, 0.04, 0.00: mean 0.02, sd 0.02, half-width 4.3027 x 0.02 / sqrt(3) = 0.049683. */
    @Test
    void threeSeeds() {
        PairedComparison c = PairedComparison.of(new double[] {0.72, 0.70, 0.75}, new double[] {0.70, 0.66, 0.75});
        assertEquals(3, c.n());
        assertEquals(0.72, c.median(), 1e-12);
        assertEquals(0.70, c.baselineMedian(), 1e-12);
        assertEquals(0.02, c.meanDifference(), 1e-12);
        double half = 4.302652729749464 * 0.02 / Math.sqrt(3);
        assertEquals(0.02 - half, c.low(), 1e-12);
        assertEquals(0.02 + half, c.high(), 1e-12);
        assertFalse(c.significant());
    }

    /** Differences -0.05, -0.04, -0.06, -0.05, -0.05: mean -0.05, sd sqrt(0.0002 / 4), clearly below 0. */
    @Test
    void fiveSeedsAndAnEvenMedian() {
        PairedComparison c = PairedComparison.of(
                new double[] {0.60, 0.61, 0.59, 0.62, 0.60}, new double[] {0.65, 0.65, 0.65, 0.67, 0.65});
        double half = 2.7764451051977987 * Math.sqrt(0.0002 / 4) / Math.sqrt(5);
        assertEquals(-0.05, c.meanDifference(), 1e-12);
        assertEquals(-0.05 - half, c.low(), 1e-12);
        assertEquals(-0.05 + half, c.high(), 1e-12);
        assertTrue(c.significant());
        assertEquals(0.65, c.baselineMedian(), 1e-12);
        assertEquals(2.5, PairedComparison.median(new double[] {4, 1, 3, 2}), 0);
    }

    @Test
    void oneSeedHasNoInterval() {
        PairedComparison c = PairedComparison.of(new double[] {0.7}, new double[] {0.74});
        assertEquals(-0.04, c.meanDifference(), 1e-12);
        assertTrue(Double.isNaN(c.low()) && Double.isNaN(c.high()));
        assertFalse(c.significant());
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(new double[] {1}, new double[] {1, 2}));
    }
}
