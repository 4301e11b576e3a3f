package org.sparkbert.engine.loop;

import java.util.List;

/**
 * What {@link TrainingLoop#run} ends with: the step it resumed from (0 for a fresh run), the writer's
 * summaries of the steps it trained (empty on the other replicas) and the steps it skipped as non-finite.
 */
public record LoopResult(long resumedFrom, List<StepSummary> steps, long skippedSteps) {}
