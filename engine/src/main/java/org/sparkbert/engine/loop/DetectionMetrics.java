package org.sparkbert.engine.loop;

import java.io.Serializable;

/**
 * ELECTRA's discriminator over a step's (or an interval's) real tokens: its mean binary cross-entropy,
 * accuracy, precision and recall on the replaced tokens, and the fraction of real tokens the generator
 * replaced. All NaN ({@link #NONE}) for objectives without a discriminator; precision is NaN when it
 * predicted no replacement and recall when there was none.
 */
public record DetectionMetrics(double loss, double accuracy, double precision, double recall, double replacedFraction)
        implements Serializable {

    public static final DetectionMetrics NONE =
            new DetectionMetrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** From summed counts: the loss sum, tokens right, true and predicted positives, replaced tokens, tokens. */
    public static DetectionMetrics of(
            double lossSum, long correct, long truePositives, long predictedPositives, long replaced, long tokens) {
        return new DetectionMetrics(
                tokens == 0 ? 0 : lossSum / tokens,
                tokens == 0 ? 0 : (double) correct / tokens,
                predictedPositives == 0 ? Double.NaN : (double) truePositives / predictedPositives,
                replaced == 0 ? Double.NaN : (double) truePositives / replaced,
                tokens == 0 ? 0 : (double) replaced / tokens);
    }

    public boolean present() {
        return !Double.isNaN(loss);
    }
}
