package org.sparkbert.evaluate.finetune;

import org.sparkbert.engine.model.SentencePooling;
import org.sparkbert.evaluate.perplexity.BackendChoice;

/**
 * How one task is fine-tuned: epochs over the training examples, AdamW with decoupled weight decay at
 * a peak learning rate reached by linear warm-up over warmupProportion of the steps and decayed
 * linearly to 0, global-norm clipping, the seed of the classifier, the example order and dropout,
 * the engine backend the model runs on, and what the classifier reads ([CLS] pooler or mean).
 */
public record FineTuneOptions(
        int epochs,
        float learningRate,
        int batchSize,
        double warmupProportion,
        float weightDecay,
        float clipNorm,
        long seed,
        int threads,
        BackendChoice backend,
        SentencePooling head) {

    /** On the cpu backend, with BERT's [CLS] pooler. */
    public FineTuneOptions(
            int epochs,
            float learningRate,
            int batchSize,
            double warmupProportion,
            float weightDecay,
            float clipNorm,
            long seed,
            int threads) {
        this(
                epochs,
                learningRate,
                batchSize,
                warmupProportion,
                weightDecay,
                clipNorm,
                seed,
                threads,
                BackendChoice.cpu(),
                SentencePooling.CLS);
    }

    public FineTuneOptions {
        if (epochs < 1 || batchSize < 1 || threads < 1) {
            throw new IllegalArgumentException("epochs, batch size and threads must be at least 1");
        }
        if (!(learningRate > 0) || warmupProportion < 0 || warmupProportion > 1) {
            throw new IllegalArgumentException(
                    "the learning rate must be positive and the warm-up proportion within [0, 1]");
        }
    }

    public FineTuneOptions withSeed(long newSeed) {
        return new FineTuneOptions(
                epochs, learningRate, batchSize, warmupProportion, weightDecay, clipNorm, newSeed, threads);
    }

    public FineTuneOptions withLearningRate(float rate) {
        return new FineTuneOptions(epochs, rate, batchSize, warmupProportion, weightDecay, clipNorm, seed, threads);
    }

    public long steps(int examples) {
        return (long) epochs * ((examples + batchSize - 1) / batchSize);
    }

    public long warmupSteps(int examples) {
        return Math.round(warmupProportion * steps(examples));
    }
}
