package org.sparkbert.engine.loop;

/**
 * Sums what the steps of one logging interval measured: losses and the sentence accuracy averaged
 * over its steps, the MLM accuracy over all its predictions, tokens per second of wall-clock time
 * (batch assembly included).
 */
public final class IntervalMeter {

    private final boolean sentenceTask;
    private int steps;
    private double loss, mlmLoss, sentenceLoss, sentenceAccuracy, mlmCorrect;
    /** ELECTRA: sums of the steps' discriminator means, and how many steps had a precision and a recall. */
    private double discLoss, discAccuracy, discPrecision, discRecall, replacedFraction;

    private int detectionSteps, precisionSteps, recallSteps;
    private long predictions, tokens;
    private long startNanos = System.nanoTime();

    public IntervalMeter(boolean sentenceTask) {
        this.sentenceTask = sentenceTask;
    }

    /** Adds a step; a skipped (non-finite) step counts for its tokens only, so it does not turn the means into NaN. */
    public void add(StepMetrics m) {
        tokens += m.tokens();
        if (m.skipped()) return;
        steps++;
        loss += m.loss();
        mlmLoss += m.mlmLoss();
        mlmCorrect += m.mlmAccuracy() * m.predictions();
        predictions += m.predictions();
        if (sentenceTask) {
            sentenceLoss += m.sentenceLoss();
            sentenceAccuracy += m.sentenceAccuracy();
        }
        DetectionMetrics d = m.detection();
        if (d.present()) {
            detectionSteps++;
            discLoss += d.loss();
            discAccuracy += d.accuracy();
            replacedFraction += d.replacedFraction();
            if (!Double.isNaN(d.precision())) {
                discPrecision += d.precision();
                precisionSteps++;
            }
            if (!Double.isNaN(d.recall())) {
                discRecall += d.recall();
                recallSteps++;
            }
        }
    }

    /** The interval's record, its tokens per second over the wall-clock time since the interval began; then starts the next. */
    public ProgressRecord close(
            long step, long totalSteps, double learningRate, double elapsedSeconds, double maskedTokenEntropy) {
        return close(
                step,
                totalSteps,
                learningRate,
                elapsedSeconds,
                maskedTokenEntropy,
                (System.nanoTime() - startNanos) / 1e9);
    }

    /** The interval's record, its tokens per second over {@code seconds}; then starts the next interval. */
    private ProgressRecord close(
            long step,
            long totalSteps,
            double learningRate,
            double elapsedSeconds,
            double maskedTokenEntropy,
            double seconds) {
        ProgressRecord r = new ProgressRecord(
                step,
                totalSteps,
                loss / steps,
                mlmLoss / steps,
                mlmCorrect / Math.max(1, predictions),
                sentenceTask ? sentenceLoss / steps : Double.NaN,
                sentenceTask ? sentenceAccuracy / steps : Double.NaN,
                learningRate,
                tokens / seconds,
                elapsedSeconds,
                maskedTokenEntropy,
                detectionSteps == 0
                        ? DetectionMetrics.NONE
                        : new DetectionMetrics(
                                discLoss / detectionSteps,
                                discAccuracy / detectionSteps,
                                precisionSteps == 0 ? Double.NaN : discPrecision / precisionSteps,
                                recallSteps == 0 ? Double.NaN : discRecall / recallSteps,
                                replacedFraction / detectionSteps));
        steps = detectionSteps = precisionSteps = recallSteps = 0;
        discLoss = discAccuracy = discPrecision = discRecall = replacedFraction = 0;
        loss = mlmLoss = sentenceLoss = sentenceAccuracy = mlmCorrect = 0;
        predictions = tokens = 0;
        startNanos = System.nanoTime();
        return r;
    }
}
