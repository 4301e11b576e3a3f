package org.sparkbert.evaluate.perplexity;

import java.io.Serializable;

/** The summed cross-entropy (nats) over scored positions and their number; partial sums add up. */
public record CrossEntropySum(double nats, long positions) implements Serializable {
    public static final CrossEntropySum ZERO = new CrossEntropySum(0, 0);

    public CrossEntropySum plus(CrossEntropySum other) {
        return new CrossEntropySum(nats + other.nats, positions + other.positions);
    }

    public double meanNats() {
        return nats / positions;
    }

    /** exp of the mean cross-entropy. */
    public double perplexity() {
        return Math.exp(meanNats());
    }
}
