package org.sparkbert.engine.loop;

/**
 * The denominators of a step's losses: masked positions, sequences and real (non-padding) tokens,
 * the last for ELECTRA's discriminator. Counted per replica with
 * {@link Trainer#count}, summed over the replicas, and passed to {@link Trainer#localGradients} so
 * that every replica scales its part by the global batch's counts.
 */
public record StepCounts(int predictions, int sequences, int tokens) {

    /** Counts travel through a float all-reduce: sums stay exact below 2^24. */
    static final int EXACT_IN_FLOAT = 1 << 24;

    public StepCounts {
        if (predictions < 0 || sequences < 0 || tokens < 0) {
            throw new IllegalArgumentException("negative counts " + predictions + ", " + sequences + ", " + tokens);
        }
    }

    public StepCounts plus(StepCounts other) {
        return new StepCounts(predictions + other.predictions, sequences + other.sequences, tokens + other.tokens);
    }

    /** The counts as the floats that replicas sum: predictions, sequences, tokens. */
    public float[] toFloats() {
        return new float[] {predictions, sequences, tokens};
    }

    /** The counts from {@link #toFloats}'s summed layout. */
    public static StepCounts ofFloats(float[] summed) {
        return new StepCounts(Math.round(summed[0]), Math.round(summed[1]), Math.round(summed[2]));
    }

    /** 1 / masked positions: the MLM loss is their mean (0 when there are none). */
    float mlmScale() {
        return predictions == 0 ? 0f : 1f / predictions;
    }

    /** 1 / sequences: the sentence loss is their mean. */
    float sentenceScale() {
        return sequences == 0 ? 0f : 1f / sequences;
    }
}
