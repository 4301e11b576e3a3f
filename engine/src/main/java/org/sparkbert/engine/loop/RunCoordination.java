package org.sparkbert.engine.loop;

import java.io.IOException;

/**
 * How the replicas of one run keep in step outside the gradient sum: which one writes checkpoints
 * and metrics, how they agree on a value (the step to resume from, the checkpoint cadence), and where they wait for each other. One
 * process alone ({@link #alone()}) agrees with itself; a barrier stage agrees through Spark.
 */
public interface RunCoordination {

    /** Whether this replica writes the checkpoints and the metrics (rank 0, or the only one). */
    boolean writes();

    /** The value every replica takes: the writer's (what the others pass is ignored). */
    long agree(long writersValue) throws IOException;

    /** Before each step: a place to stop when the run was cancelled. */
    default void beforeStep(long step) {}

    /** After a checkpoint: nobody runs ahead of a checkpoint that may still fail. */
    default void afterCheckpoint(long step) {}

    static RunCoordination alone() {
        return new RunCoordination() {
            @Override
            public boolean writes() {
                return true;
            }

            @Override
            public long agree(long writersValue) {
                return writersValue;
            }
        };
    }
}
