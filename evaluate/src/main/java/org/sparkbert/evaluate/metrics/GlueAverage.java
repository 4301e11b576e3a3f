package org.sparkbert.evaluate.metrics;

import java.util.List;
import org.sparkbert.evaluate.glue.GlueTask;

/** A GLUE average (a fraction) and the tasks it was taken over; complete when all nine are there. */
public record GlueAverage(double value, List<GlueTask> tasks) {

    public boolean complete() {
        return tasks.size() == GlueTask.values().length;
    }
}
