package org.sparkbert.evaluate.metrics;

import java.util.Arrays;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Two arms scored on the same seeds (pretrained and random init, seed i against seed i): each arm's
 * median, and the mean of the paired differences with its two-sided 95% Student-t confidence interval
 * (mean +- t(0.975, n - 1) x sd / sqrt(n)). Pairing by seed removes what the seed does to both arms
 * alike (data order, classifier initialisation). With one seed the interval is undefined (NaN).
 */
public record PairedComparison(
        int n, double median, double baselineMedian, double meanDifference, double low, double high) {

    public static PairedComparison of(double[] scores, double[] baselineScores) {
        if (scores.length == 0 || scores.length != baselineScores.length) {
            throw new IllegalArgumentException(
                    "paired comparison needs the same number (at least 1) of scores in both arms, got " + scores.length
                            + " and " + baselineScores.length);
        }
        int n = scores.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = scores[i] - baselineScores[i];
        double mean = Arrays.stream(d).average().orElseThrow();
        if (n == 1) return new PairedComparison(1, scores[0], baselineScores[0], mean, Double.NaN, Double.NaN);
        double ss = 0;
        for (double x : d) ss += (x - mean) * (x - mean);
        double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(ss / (n - 1) / n);
        return new PairedComparison(n, median(scores), median(baselineScores), mean, mean - half, mean + half);
    }

    /** The middle value; the mean of the two middle ones for an even count. */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** Whether the interval lies wholly above or below 0. */
    public boolean significant() {
        return low > 0 || high < 0;
    }
}
