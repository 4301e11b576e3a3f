package org.sparkbert.engine.model;

/**
 * What ELECTRA's discriminator measured over a batch's real (non-padding) tokens: the sum of its
 * binary cross-entropies, the tokens it classified right, its true and predicted positives, the
 * tokens the generator really replaced (a sample equal to the original is not a replacement), and
 * the tokens. Sums, so that the parts of a global batch add up; all zero where there is no discriminator.
 */
public record Detection(
        double lossSum, int correct, int truePositives, int predictedPositives, int replaced, int tokens) {

    public static final Detection NONE = new Detection(0, 0, 0, 0, 0, 0);

    public double loss() {
        return tokens == 0 ? 0 : lossSum / tokens;
    }

    public double accuracy() {
        return tokens == 0 ? 0 : (double) correct / tokens;
    }
}
