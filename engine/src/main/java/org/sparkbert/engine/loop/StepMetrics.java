package org.sparkbert.engine.loop;

/**
 * What one optimiser step measured over its global batch (every replica's micro-batches, so every
 * replica reports the same): the MLM loss is the mean over the global batch's masked positions, the
 * sentence loss the mean over its sequences, loss their sum; accuracies are correct / count; sentence
 * fields are NaN for objective mlm. tokens counts non-padding tokens. seconds is this replica's time
 * in the call that returned the metrics. skipped: the loss or the gradient norm was not finite, so
 * the update was not applied (weights and optimiser state are as before the step). For electra the
 * MLM fields are the generator's, detection is the discriminator's ({@link DetectionMetrics#NONE}
 * otherwise) and loss is the generator's MLM loss plus discriminator_weight times the discriminator's.
 */
public record StepMetrics(
        long step,
        double loss,
        double mlmLoss,
        double mlmAccuracy,
        double sentenceLoss,
        double sentenceAccuracy,
        float learningRate,
        double gradientNorm,
        long tokens,
        int predictions,
        double seconds,
        boolean skipped,
        DetectionMetrics detection) {

    /** A step without a discriminator. */
    public StepMetrics(
            long step,
            double loss,
            double mlmLoss,
            double mlmAccuracy,
            double sentenceLoss,
            double sentenceAccuracy,
            float learningRate,
            double gradientNorm,
            long tokens,
            int predictions,
            double seconds,
            boolean skipped) {
        this(
                step,
                loss,
                mlmLoss,
                mlmAccuracy,
                sentenceLoss,
                sentenceAccuracy,
                learningRate,
                gradientNorm,
                tokens,
                predictions,
                seconds,
                skipped,
                DetectionMetrics.NONE);
    }

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }

    public boolean hasSentenceTask() {
        return !Double.isNaN(sentenceLoss);
    }
}
