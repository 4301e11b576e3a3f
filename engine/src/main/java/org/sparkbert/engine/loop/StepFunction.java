package org.sparkbert.engine.loop;

import java.io.IOException;

/**
 * How one optimiser step runs: on a replica with its group ({@link Replica#step}), or split over
 * Spark tasks and the driver (the tree strategy). Step numbers are 0-based; the summary's are 1-based.
 */
public interface StepFunction {

    StepSummary step(long step) throws IOException;

    /** Seconds spent summing gradients across replicas since the last call; NaN where not measured. */
    default double takeAllReduceSeconds() {
        return Double.NaN;
    }

    /** The steps of one replica in a group: the driver's only replica, or a ring rank. */
    static StepFunction of(Replica replica, ReplicaGroup group) {
        return step -> replica.step(step, group);
    }
}
