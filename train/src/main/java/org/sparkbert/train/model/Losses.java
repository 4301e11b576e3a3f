package org.sparkbert.train.model;

/**
 * What one forward pass measured: the total loss that was differentiated, and its parts with the
 * counts behind the accuracies (sums in double, in a fixed order). Sentence fields are 0 for mlm.
 */
public record Losses(double loss, double mlmLoss, int mlmCorrect, int predictions,
                     double sentenceLoss, int sentenceCorrect, int sequences) {

    public double mlmAccuracy() { return predictions == 0 ? 0 : (double) mlmCorrect / predictions; }

    public double sentenceAccuracy() { return sequences == 0 ? 0 : (double) sentenceCorrect / sequences; }
}
