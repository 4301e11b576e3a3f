package org.sparkbert.engine.optim;

/**
 * Linear warm-up from 0 to the peak over warmupSteps, then linear decay to 0 at totalSteps, as
 * Hugging Face's get_linear_schedule_with_warmup: step is the 0-based index of the update.
 */
public record LinearSchedule(float peak, long warmupSteps, long totalSteps) {

    public LinearSchedule {
        if (peak <= 0 || warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(
                    "learning-rate schedule needs lr > 0 and 0 <= warmup-steps <= steps, got lr " + peak + ", warmup "
                            + warmupSteps + ", steps " + totalSteps);
        }
    }

    public float rate(long step) {
        if (step < warmupSteps) return (float) (peak * ((double) step / warmupSteps));
        if (totalSteps == warmupSteps) return peak;
        return (float) (peak * Math.max(0.0, (double) (totalSteps - step) / (totalSteps - warmupSteps)));
    }
}
