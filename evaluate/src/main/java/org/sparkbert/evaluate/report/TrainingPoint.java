package org.sparkbert.evaluate.report;

/**
 * One line of a training run's {@code metrics.jsonl}. Every field but {@code step} may be missing
 * from a line (an MLM-only model logs no NSP figures) and is then NaN.
 */
public record TrainingPoint(
        long step,
        double loss,
        double mlmLoss,
        double mlmAccuracy,
        double nspLoss,
        double nspAccuracy,
        double learningRate,
        double tokensPerSecond,
        double elapsedSeconds) {}
