package org.sparkbert.engine.loop;

import java.io.IOException;

/** Receives the steps the writing replica trained, in order, from the resume point on. */
public interface StepListener extends AutoCloseable {

    /** Called once, before the first step, with the step the run resumes from (0 for a fresh run). */
    default void started(long resumedFrom) throws IOException {}

    void step(StepSummary step) throws IOException;

    /** The held-out figures after a step (every evaluation interval and at the end), where the run has a held-out set. */
    default void evaluated(HeldOutRecord record) throws IOException {}

    @Override
    default void close() throws IOException {}

    /** The listeners in turn, each step to every one; closing closes all of them, even after a failure. */
    static StepListener all(StepListener... listeners) {
        return new StepListener() {
            @Override
            public void started(long resumedFrom) throws IOException {
                for (StepListener l : listeners) l.started(resumedFrom);
            }

            @Override
            public void step(StepSummary step) throws IOException {
                for (StepListener l : listeners) l.step(step);
            }

            @Override
            public void evaluated(HeldOutRecord record) throws IOException {
                for (StepListener l : listeners) l.evaluated(record);
            }

            @Override
            public void close() throws IOException {
                IOException failed = null;
                for (StepListener l : listeners) {
                    try {
                        l.close();
                    } catch (IOException | RuntimeException e) {
                        IOException wrapped = e instanceof IOException io ? io : new IOException(e);
                        if (failed == null) failed = wrapped;
                        else failed.addSuppressed(wrapped);
                    }
                }
                if (failed != null) throw failed;
            }
        };
    }

    static StepListener none() {
        return step -> {};
    }
}
