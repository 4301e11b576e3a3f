package org.sparkbert.engine.loop;

/**
 * The denominators of a step's losses: masked positions and sequences. Counted per replica with
 * {@link Trainer#count}, summed over the replicas, and passed to {@link Trainer#localGradients} so
 * that every replica scales its part by the global batch's counts.
 */
public record StepCounts(int predictions, int sequences) {

    /** Counts travel through a float all-reduce: sums stay exact below 2^24. */
    static final int EXACT_IN_FLOAT = 1 << 24;

    public StepCounts {
        if (predictions < 0 || sequences < 0) throw new IllegalArgumentException("negative counts " + predictions + ", " + sequences);
    }

    public StepCounts plus(StepCounts other) {
        return new StepCounts(predictions + other.predictions, sequences + other.sequences);
    }

    /** 1 / masked positions: the MLM loss is their mean (0 when there are none). */
    float mlmScale() { return predictions == 0 ? 0f : 1f / predictions; }

    /** 1 / sequences: the sentence loss is their mean. */
    float sentenceScale() { return sequences == 0 ? 0f : 1f / sequences; }
}
