package org.sparkbert.engine.loop;

import java.io.Serializable;

/**
 * How long a run trains and what it does along the way: optimiser steps in all (a resumed run
 * continues up to them), steps per progress line and metrics record, steps between checkpoints (0:
 * none but the final one), minutes of training between checkpoints (0: none by time), and how many
 * non-finite steps in a row stop the run.
 */
public record RunPlan(long steps, int logEvery, long checkpointEvery, double checkpointMinutes, int maxNonFiniteSteps)
        implements Serializable {

    public static final int DEFAULT_MAX_NON_FINITE_STEPS = 5;

    public RunPlan {
        if (steps < 1 || logEvery < 1) throw new IllegalArgumentException("steps and log interval must be at least 1");
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every cannot be negative");
        if (!(checkpointMinutes >= 0)) throw new IllegalArgumentException("--checkpoint-minutes cannot be negative");
        if (maxNonFiniteSteps < 1) throw new IllegalArgumentException("max non-finite steps must be at least 1");
    }

    public RunPlan(long steps, int logEvery, long checkpointEvery) {
        this(steps, logEvery, checkpointEvery, 0, DEFAULT_MAX_NON_FINITE_STEPS);
    }

    /** Whether a checkpoint follows step {@code done} (1-based count of steps done): the cadence and the last. */
    public boolean checkpointAfter(long done) {
        return done == steps || (checkpointEvery > 0 && done % checkpointEvery == 0);
    }

    public boolean logAfter(long done) {
        return done == steps || done % logEvery == 0;
    }
}
