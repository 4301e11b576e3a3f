package org.sparkbert.engine.loop;

import java.io.Serializable;

/**
 * How the loop trains: peak learning rate with linear warm-up and decay over totalSteps, micro-batches
 * accumulated per update by each replica, global gradient-norm clipping (0: off) and the dropout seed.
 */
public record TrainingOptions(
        float learningRate, long warmupSteps, long totalSteps, int accumulate, float clipNorm, long seed)
        implements Serializable {

    public TrainingOptions {
        if (accumulate < 1) throw new IllegalArgumentException("accumulate must be >= 1, got " + accumulate);
        if (clipNorm < 0)
            throw new IllegalArgumentException("clip-norm must be >= 0 (0 turns clipping off), got " + clipNorm);
    }
}
