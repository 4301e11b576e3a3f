package org.sparkbert.evaluate.metrics;

/**
 * Spearman's rank correlation (STS-B's other metric): Pearson's correlation of the average ranks, so
 * ties are handled as SciPy's {@code spearmanr} handles them. A constant input gives 0 (see
 * {@link PearsonCorrelation}).
 */
public final class SpearmanCorrelation {
    private SpearmanCorrelation() {}

    public static double of(double[] gold, double[] predicted) {
        MetricInputs.checkPairs(gold, predicted);
        return PearsonCorrelation.of(AverageRanks.of(gold), AverageRanks.of(predicted));
    }
}
