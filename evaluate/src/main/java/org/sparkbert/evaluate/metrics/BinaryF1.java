package org.sparkbert.evaluate.metrics;

/**
 * F1 of the positive class (label 1), as GLUE scores MRPC and QQP: 2TP / (2TP + FP + FN). With no
 * positive gold label and no positive prediction it is 0, as scikit-learn's {@code zero_division=0}.
 */
public final class BinaryF1 {
    public static final int POSITIVE = 1;

    private BinaryF1() {}

    public static double of(int[] gold, int[] predicted) {
        MetricInputs.checkPairs(gold, predicted);
        long truePositives = 0;
        long falsePositives = 0;
        long falseNegatives = 0;
        for (int i = 0; i < gold.length; i++) {
            boolean goldPositive = gold[i] == POSITIVE;
            boolean predictedPositive = predicted[i] == POSITIVE;
            if (goldPositive && predictedPositive) {
                truePositives++;
            } else if (predictedPositive) {
                falsePositives++;
            } else if (goldPositive) {
                falseNegatives++;
            }
        }
        long denominator = 2 * truePositives + falsePositives + falseNegatives;
        return denominator == 0 ? 0.0 : 2.0 * truePositives / denominator;
    }
}
