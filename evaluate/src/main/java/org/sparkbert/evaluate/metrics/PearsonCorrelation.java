package org.sparkbert.evaluate.metrics;

/**
 * Pearson's linear correlation (one of STS-B's metrics), computed from deviations about the means so
 * that large offsets do not cancel digits. When either input is constant the coefficient is
 * undefined: SciPy returns NaN, we return 0 (no association can be claimed), as MCC does for a
 * one-class prediction, so that a collapsed regression head scores 0 instead of poisoning the GLUE
 * average with NaN.
 */
public final class PearsonCorrelation {
    private PearsonCorrelation() {}

    public static double of(double[] gold, double[] predicted) {
        MetricInputs.checkPairs(gold, predicted);
        double goldMean = mean(gold);
        double predictedMean = mean(predicted);
        double cross = 0;
        double goldSquares = 0;
        double predictedSquares = 0;
        for (int i = 0; i < gold.length; i++) {
            double dg = gold[i] - goldMean;
            double dp = predicted[i] - predictedMean;
            cross += dg * dp;
            goldSquares += dg * dg;
            predictedSquares += dp * dp;
        }
        if (goldSquares == 0 || predictedSquares == 0) {
            return 0.0;
        }
        double r = cross / (Math.sqrt(goldSquares) * Math.sqrt(predictedSquares));
        return Math.max(-1.0, Math.min(1.0, r));
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
