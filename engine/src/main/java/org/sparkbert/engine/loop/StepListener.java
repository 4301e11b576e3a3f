package org.sparkbert.engine.loop;

import java.io.IOException;

/** Receives the steps the writing replica trained, in order, from the resume point on. */
public interface StepListener extends AutoCloseable {

    /** Called once, before the first step, with the step the run resumes from (0 for a fresh run). */
    default void started(long resumedFrom) throws IOException {
    }

    void step(StepSummary step) throws IOException;

    @Override
    default void close() throws IOException {
    }

    static StepListener none() {
        return step -> {
        };
    }
}
