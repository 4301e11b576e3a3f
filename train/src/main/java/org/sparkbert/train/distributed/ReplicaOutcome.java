package org.sparkbert.train.distributed;

import java.io.Serializable;
import java.util.List;
import org.sparkbert.engine.loop.StepSummary;

/** What one ring task hands back: rank 0 brings the final weights and the step summaries. */
record ReplicaOutcome(
        int rank, int attempt, long resumedFrom, float[] weights, List<StepSummary> steps, String host, long pid)
        implements Serializable {}
