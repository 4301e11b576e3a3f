package org.sparkbert.pipeline;

import org.sparkbert.engine.model.ModelConfig;

/**
 * How many optimiser steps fit the training share of the time budget: the FLOP of one step counted
 * from the model's shape, divided into budget x share x the engine's sustained FLOP per second. The
 * count depends only on the arguments and settings, never on how long earlier stages took, so a
 * rerun asks the train stage for the same steps and finds its finished output.
 */
public record TrainingBudget(
        double budgetMinutes, double trainShare, double flopsPerSecond, long minSteps, long maxSteps) {

    public long steps(ModelConfig model, int batchSize, int seqLength, int predictionsPerSeq) {
        double seconds = budgetMinutes * 60 * trainShare;
        long fit = (long)
                Math.floor(seconds * flopsPerSecond / flopsPerStep(model, batchSize, seqLength, predictionsPerSeq));
        return Math.max(minSteps, Math.min(maxSteps, fit));
    }

    /** Forward and backward FLOP of one step: 2 per multiply-add, and the backward pass costs twice the forward. */
    static double flopsPerStep(ModelConfig m, int batchSize, int seqLength, int predictionsPerSeq) {
        double h = m.hiddenSize();
        double e = m.embeddingSize();
        double tokens = (double) batchSize * seqLength;
        double perTokenPerLayer = 4 * h * h + 2 * h * m.intermediateSize();
        double encoder = tokens * m.numHiddenLayers() * perTokenPerLayer;
        double attention = (double) batchSize * m.numHiddenLayers() * 2.0 * seqLength * seqLength * h;
        double embeddingProjection = e == h ? 0 : tokens * e * h;
        double maskedLmHead = (double) batchSize * predictionsPerSeq * (h * e + e * m.vocabSize());
        double multiplyAdds = encoder + attention + embeddingProjection + maskedLmHead;
        return 2 * 3 * multiplyAdds;
    }
}
