package org.sparkbert.engine.loop;

import java.io.IOException;

/** Receives the steps the writing replica trained, in order, from the resume point on. */
public interface StepListener extends AutoCloseable {

    /** Called once, before the first step, with the step the run resumes from (0 for a fresh run). */
    default void started(long resumedFrom) throws IOException {
    }

    void step(StepSummary step) throws IOException;

    /** The held-out figures after a step (every evaluation interval and at the end), where the run has a held-out set. */
    default void evaluated(HeldOutRecord record) throws IOException {
    }

    @Override
    default void close() throws IOException {
    }

    static StepListener none() {
        return step -> {
        };
    }
}
