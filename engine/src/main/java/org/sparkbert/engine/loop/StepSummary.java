package org.sparkbert.engine.loop;

import java.io.Serializable;

/**
 * What one optimiser step reports to the driver: its number (1-based, after the step), the mean
 * loss and its parts over the global batch (as {@link StepMetrics}; sentence fields NaN for objective
 * mlm, NaN all where the engine does not measure them), the learning rate of the step, the tokens it
 * trained on over all replicas and its masked positions, its wall time and the part of it spent
 * summing gradients across replicas (NaN where the strategy does not measure it), the unigram
 * entropy of the masked tokens the reporting replica has seen so far (NaN where it saw none), and
 * whether the update was skipped because the loss or the gradient norm was not finite; ELECTRA's
 * discriminator metrics ({@link DetectionMetrics#NONE} for other objectives).
 */
public record StepSummary(
        long step,
        double loss,
        double mlmLoss,
        double mlmAccuracy,
        double sentenceLoss,
        double sentenceAccuracy,
        double learningRate,
        long tokens,
        int predictions,
        double seconds,
        double allReduceSeconds,
        double maskedTokenEntropy,
        boolean skipped,
        DetectionMetrics detection)
        implements Serializable {

    /** A step without a discriminator. */
    public StepSummary(
            long step,
            double loss,
            double mlmLoss,
            double mlmAccuracy,
            double sentenceLoss,
            double sentenceAccuracy,
            double learningRate,
            long tokens,
            int predictions,
            double seconds,
            double allReduceSeconds,
            double maskedTokenEntropy,
            boolean skipped) {
        this(
                step,
                loss,
                mlmLoss,
                mlmAccuracy,
                sentenceLoss,
                sentenceAccuracy,
                learningRate,
                tokens,
                predictions,
                seconds,
                allReduceSeconds,
                maskedTokenEntropy,
                skipped,
                DetectionMetrics.NONE);
    }

    /** An engine that reports only the loss: a step is skipped when it is not finite. */
    public StepSummary(long step, double loss, long tokens, double seconds, double allReduceSeconds) {
        this(
                step,
                loss,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                tokens,
                0,
                seconds,
                allReduceSeconds,
                Double.NaN,
                !Double.isFinite(loss));
    }

    /** The BERT engine's metrics of a step. */
    public static StepSummary of(StepMetrics m, double maskedTokenEntropy) {
        return new StepSummary(
                m.step(),
                m.loss(),
                m.mlmLoss(),
                m.mlmAccuracy(),
                m.sentenceLoss(),
                m.sentenceAccuracy(),
                m.learningRate(),
                m.tokens(),
                m.predictions(),
                m.seconds(),
                Double.NaN,
                maskedTokenEntropy,
                m.skipped(),
                m.detection());
    }

    /** The step as the engine's metrics (gradient norm unknown), for whoever sums intervals of them. */
    public StepMetrics metrics() {
        return new StepMetrics(
                step,
                loss,
                mlmLoss,
                mlmAccuracy,
                sentenceLoss,
                sentenceAccuracy,
                (float) learningRate,
                Double.NaN,
                tokens,
                predictions,
                seconds,
                skipped,
                detection);
    }

    public StepSummary withTimes(double stepSeconds, double reduceSeconds) {
        return new StepSummary(
                step,
                loss,
                mlmLoss,
                mlmAccuracy,
                sentenceLoss,
                sentenceAccuracy,
                learningRate,
                tokens,
                predictions,
                stepSeconds,
                reduceSeconds,
                maskedTokenEntropy,
                skipped,
                detection);
    }
}
