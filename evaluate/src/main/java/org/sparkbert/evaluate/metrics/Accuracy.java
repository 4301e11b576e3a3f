package org.sparkbert.evaluate.metrics;

/** The fraction of examples whose predicted label equals the gold label. */
public final class Accuracy {
    private Accuracy() {}

    public static double of(int[] gold, int[] predicted) {
        MetricInputs.checkPairs(gold, predicted);
        int correct = 0;
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] == predicted[i]) {
                correct++;
            }
        }
        return (double) correct / gold.length;
    }
}
