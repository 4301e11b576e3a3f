package org.sparkbert.train.distributed;

import java.util.List;
import org.sparkbert.engine.loop.StepSummary;

/**
 * What a distributed run ends with: the final weights (identical on every replica), the summaries
 * of the steps trained by the attempt that finished (from {@code resumedFrom + 1} on), the stage
 * attempt that finished (0 when nothing failed; ring only) and the wall time.
 */
public record TrainingResult(
        AllReduceStrategy strategy,
        int replicas,
        float[] weights,
        List<StepSummary> steps,
        long resumedFrom,
        int attempt,
        double seconds) {

    public StepSummary last() {
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    /** Mean seconds per step and mean all-reduce seconds per step, skipping the first {@code warmup} steps. */
    public double[] meanTimes(int warmup) {
        double step = 0, reduce = 0;
        int n = 0;
        for (int i = Math.min(warmup, Math.max(0, steps.size() - 1)); i < steps.size(); i++) {
            step += steps.get(i).seconds();
            reduce += steps.get(i).allReduceSeconds();
            n++;
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {step / n, reduce / n};
    }
}
