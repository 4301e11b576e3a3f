package org.sparkbert.train.distributed;

import java.io.Serializable;

/**
 * What one optimiser step reports to the driver: its number (1-based, after the step), the mean
 * loss, the tokens it trained on over all replicas, its wall time and the part of it spent summing
 * gradients across replicas (NaN where the strategy does not measure it).
 */
public record StepSummary(long step, double loss, long tokens, double seconds, double allReduceSeconds)
        implements Serializable {

    public StepSummary withTimes(double stepSeconds, double reduceSeconds) {
        return new StepSummary(step, loss, tokens, stepSeconds, reduceSeconds);
    }
}
