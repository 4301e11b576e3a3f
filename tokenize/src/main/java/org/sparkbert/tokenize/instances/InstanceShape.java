package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * How long instances are: BERT's {@code max_seq_length} and {@code short_seq_prob}, and the seed of
 * every random choice made while cutting them.
 */
public record InstanceShape(int maxSeqLength, double shortSeqProb, long seed) implements Serializable {
    public static final int MIN_SEQ_LENGTH = 8;
    public static final int MAX_SEQ_LENGTH = 4096;

    public InstanceShape {
        if (maxSeqLength < MIN_SEQ_LENGTH || maxSeqLength > MAX_SEQ_LENGTH) {
            throw new IllegalArgumentException("max_seq_length must lie in [" + MIN_SEQ_LENGTH + ", " + MAX_SEQ_LENGTH
                    + "], not " + maxSeqLength + ".");
        }
        if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
            throw new IllegalArgumentException("short_seq_prob must lie in [0, 1], not " + shortSeqProb + ".");
        }
    }

    /** Tokens left for A and B after {@code [CLS]} and two {@code [SEP]}. */
    public int maxPairTokens() {
        return maxSeqLength - 3;
    }

    /**
     * A document's target length: usually the maximum, since shorter sequences waste the padding, but
     * with probability {@code short_seq_prob} a random length in [2, max], so that the model also
     * sees the short sequences it meets when fine-tuned.
     */
    public int targetLength(SplittableRandom rng) {
        int max = maxPairTokens();
        return rng.nextDouble() < shortSeqProb ? 2 + rng.nextInt(max - 1) : max;
    }
}
