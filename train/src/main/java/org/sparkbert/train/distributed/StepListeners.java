package org.sparkbert.train.distributed;

import java.io.Serializable;
import org.sparkbert.engine.loop.StepListener;

/** Opens the writer's step listener where the writer runs (rank 0's executor, or the driver): Spark serialises it into the tasks. */
@FunctionalInterface
public interface StepListeners extends Serializable {

    StepListener open(String who);

    static StepListeners none() {
        return who -> StepListener.none();
    }
}
