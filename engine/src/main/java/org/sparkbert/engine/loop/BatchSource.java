package org.sparkbert.engine.loop;

import java.util.List;
import org.sparkbert.engine.model.Batch;

/**
 * A replica's data order: the micro-batches it trains on at each step, a pure function of the step,
 * so that a resumed or retried run sees the same batches.
 */
public interface BatchSource {

    /** This replica's micro-batches of step {@code step} (0-based). */
    List<Batch> microBatches(long step);

    /** The index of this replica's first micro-batch in the global batch (its dropout keys follow it). */
    int firstMicroBatch();
}
