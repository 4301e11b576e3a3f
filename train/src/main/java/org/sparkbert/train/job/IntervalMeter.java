package org.sparkbert.train.job;

import org.sparkbert.train.model.Losses;

/**
 * Sums what the steps of one logging interval measured: losses averaged over its micro-batches,
 * accuracies as correct predictions over all predictions, tokens for the throughput.
 */
public final class IntervalMeter {

    private final boolean sentenceTask;
    private int batches;
    private double loss, mlmLoss, sentenceLoss;
    private long mlmCorrect, predictions, sentenceCorrect, sequences, tokens;
    private long startNanos = System.nanoTime();

    public IntervalMeter(boolean sentenceTask) {
        this.sentenceTask = sentenceTask;
    }

    public void add(Losses l, long realTokens) {
        batches++;
        loss += l.loss();
        mlmLoss += l.mlmLoss();
        sentenceLoss += l.sentenceLoss();
        mlmCorrect += l.mlmCorrect();
        predictions += l.predictions();
        sentenceCorrect += l.sentenceCorrect();
        sequences += l.sequences();
        tokens += realTokens;
    }

    /** The interval's record; then starts the next interval. */
    public ProgressRecord close(long step, long totalSteps, double learningRate, double elapsedSeconds,
                                double maskedTokenEntropy) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        ProgressRecord r = new ProgressRecord(step, totalSteps, loss / batches, mlmLoss / batches,
                (double) mlmCorrect / Math.max(1, predictions),
                sentenceTask ? sentenceLoss / batches : Double.NaN,
                sentenceTask ? (double) sentenceCorrect / Math.max(1, sequences) : Double.NaN,
                learningRate, tokens / seconds, elapsedSeconds, maskedTokenEntropy);
        batches = 0;
        loss = mlmLoss = sentenceLoss = 0;
        mlmCorrect = predictions = sentenceCorrect = sequences = tokens = 0;
        startNanos = System.nanoTime();
        return r;
    }

    public boolean isEmpty() {
        return batches == 0;
    }
}
