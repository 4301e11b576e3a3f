package org.sparkbert.evaluate.metrics;

/** The argument checks every metric makes: two equally long, non-empty arrays of sane values. */
final class MetricInputs {
    private MetricInputs() {}

    static void checkPairs(int[] gold, int[] predicted) {
        checkLengths(gold.length, predicted.length);
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0 || predicted[i] < 0) {
                throw new IllegalArgumentException("label indices must be >= 0; row " + i + " has gold " + gold[i]
                        + " and predicted " + predicted[i]);
            }
        }
    }

    static void checkPairs(double[] gold, double[] predicted) {
        checkLengths(gold.length, predicted.length);
        for (int i = 0; i < gold.length; i++) {
            if (!Double.isFinite(gold[i]) || !Double.isFinite(predicted[i])) {
                throw new IllegalArgumentException(
                        "values must be finite; row " + i + " has gold " + gold[i] + " and predicted " + predicted[i]);
            }
        }
    }

    private static void checkLengths(int gold, int predicted) {
        if (gold != predicted) {
            throw new IllegalArgumentException(gold + " gold values but " + predicted + " predictions");
        }
        if (gold == 0) {
            throw new IllegalArgumentException("no examples to score");
        }
    }
}
