package org.sparkbert.engine.model;

/**
 * What one forward pass measured: the sums of the masked positions' and of the sequences' losses
 * (in double, in a fixed order; sums, so that the parts of a global batch add up), with the counts
 * behind the means and accuracies. Sentence fields are 0 for mlm. For electra the MLM fields are the
 * generator's and detection holds the discriminator's; {@link Detection#NONE} otherwise.
 */
public record Losses(
        double mlmLossSum,
        int mlmCorrect,
        int predictions,
        double sentenceLossSum,
        int sentenceCorrect,
        int sequences,
        Detection detection) {

    public Losses(
            double mlmLossSum,
            int mlmCorrect,
            int predictions,
            double sentenceLossSum,
            int sentenceCorrect,
            int sequences) {
        this(mlmLossSum, mlmCorrect, predictions, sentenceLossSum, sentenceCorrect, sequences, Detection.NONE);
    }

    /** The mean loss over this batch's masked positions plus the mean over its sequences. */
    public double loss() {
        return mlmLoss() + sentenceLoss();
    }

    public double mlmLoss() {
        return predictions == 0 ? 0 : mlmLossSum / predictions;
    }

    public double sentenceLoss() {
        return sequences == 0 ? 0 : sentenceLossSum / sequences;
    }

    public double mlmAccuracy() {
        return predictions == 0 ? 0 : (double) mlmCorrect / predictions;
    }

    public double sentenceAccuracy() {
        return sequences == 0 ? 0 : (double) sentenceCorrect / sequences;
    }
}
