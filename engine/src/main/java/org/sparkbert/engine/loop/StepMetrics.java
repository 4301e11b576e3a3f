package org.sparkbert.engine.loop;

/**
 * What one optimiser step measured over its global batch (every replica's micro-batches, so every
 * replica reports the same): the MLM loss is the mean over the global batch's masked positions, the
 * sentence loss the mean over its sequences, loss their sum; accuracies are correct / count; sentence
 * fields are NaN for objective mlm. tokens counts non-padding tokens. seconds is this replica's time
 * in the call that returned the metrics. skipped: the loss or the gradient norm was not finite, so
 * the update was not applied (weights and optimiser state are as before the step).
 */
public record StepMetrics(long step, double loss, double mlmLoss, double mlmAccuracy, double sentenceLoss,
                          double sentenceAccuracy, float learningRate, double gradientNorm, long tokens, int predictions,
                          double seconds, boolean skipped) {

    public double tokensPerSecond() { return seconds > 0 ? tokens / seconds : 0; }

    public boolean hasSentenceTask() { return !Double.isNaN(sentenceLoss); }
}
