package org.sparkbert.train.distributed;

import org.sparkbert.engine.loop.StepSummary;

import java.io.Serializable;
import java.util.List;

/** What one ring task hands back: rank 0 brings the final weights and the step summaries. */
record ReplicaOutcome(int rank, int attempt, long resumedFrom, float[] weights, List<StepSummary> steps,
                      String host, long pid) implements Serializable {
}
