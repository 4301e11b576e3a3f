package org.sparkbert.evaluate.report;

import java.util.List;

/**
 * A run's training curve in step order. A resumed run logs again the steps after its last checkpoint:
 * the later line of a step wins ({@code replacedSteps} counts them). A last line cut off by a crash
 * (no newline, not valid JSON) is left out ({@code truncatedLastLine}). Held-out evaluations during
 * training (lines with {@code "kind": "eval"}) are kept apart, in {@code validation}.
 */
public record TrainingLog(
        List<TrainingPoint> points, int replacedSteps, boolean truncatedLastLine, List<TrainingPoint> validation) {

    public TrainingLog(List<TrainingPoint> points, int replacedSteps, boolean truncatedLastLine) {
        this(points, replacedSteps, truncatedLastLine, List.of());
    }

    public boolean isEmpty() {
        return points.isEmpty();
    }

    public TrainingPoint first() {
        return points.get(0);
    }

    public TrainingPoint last() {
        return points.get(points.size() - 1);
    }
}
