package org.sparkbert.train.loop;

/**
 * What one optimiser step measured, over all its micro-batches: losses are means, accuracies are
 * correct / count; sentence fields are NaN for objective mlm. tokens counts non-padding tokens.
 */
public record StepMetrics(long step, double loss, double mlmLoss, double mlmAccuracy, double sentenceLoss,
                          double sentenceAccuracy, float learningRate, double gradientNorm, long tokens, int predictions,
                          double seconds) {

    public double tokensPerSecond() { return seconds > 0 ? tokens / seconds : 0; }

    public boolean hasSentenceTask() { return !Double.isNaN(sentenceLoss); }
}
