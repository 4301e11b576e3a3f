package org.sparkbert.evaluate.metrics;

/**
 * Matthews correlation coefficient (CoLA's metric), in the multi-class form scikit-learn uses
 * (Gorodkin's R_K; for two classes it is the familiar (TP·TN − FP·FN) / sqrt(...)). When either the
 * gold labels or the predictions are all one class the coefficient is undefined and, as in
 * scikit-learn, 0: a classifier that always says "acceptable" scores 0 on CoLA.
 */
public final class MatthewsCorrelation {
    private MatthewsCorrelation() {}

    public static double of(int[] gold, int[] predicted) {
        MetricInputs.checkPairs(gold, predicted);
        int classes = 1 + Math.max(max(gold), max(predicted));
        long[] goldCounts = new long[classes];
        long[] predictedCounts = new long[classes];
        long correct = 0;
        for (int i = 0; i < gold.length; i++) {
            goldCounts[gold[i]]++;
            predictedCounts[predicted[i]]++;
            if (gold[i] == predicted[i]) {
                correct++;
            }
        }
        // Doubles from here: the products reach n^2 * classes, past long range for very large n.
        double n = gold.length;
        double goldDotPredicted = 0;
        double goldSquares = 0;
        double predictedSquares = 0;
        for (int k = 0; k < classes; k++) {
            goldDotPredicted += (double) goldCounts[k] * predictedCounts[k];
            goldSquares += (double) goldCounts[k] * goldCounts[k];
            predictedSquares += (double) predictedCounts[k] * predictedCounts[k];
        }
        double covariance = correct * n - goldDotPredicted;
        double goldVariance = n * n - goldSquares;
        double predictedVariance = n * n - predictedSquares;
        if (goldVariance == 0 || predictedVariance == 0) {
            return 0.0;
        }
        return covariance / Math.sqrt(goldVariance * predictedVariance);
    }

    private static int max(int[] values) {
        int max = 0;
        for (int v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}
