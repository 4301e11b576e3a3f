package org.sparkbert.train.distributed;

import org.apache.spark.BarrierTaskContext;
import org.sparkbert.engine.loop.RunCoordination;

/**
 * The ranks of a barrier stage keeping in step for the engine's loop: rank 0 writes; the resume
 * step and the checkpoint cadence are rank 0's, spread with allGather; a cancelled stage stops before the next step; all ranks
 * pass a barrier after each checkpoint.
 */
final class BarrierCoordination implements RunCoordination {
    private final BarrierTaskContext context;

    BarrierCoordination(BarrierTaskContext context) {
        this.context = context;
    }

    @Override
    public boolean writes() {
        return context.partitionId() == 0;
    }

    @Override
    public long agree(long writersValue) {
        return Long.parseLong(context.allGather(writes() ? Long.toString(writersValue) : "")[0]);
    }

    @Override
    public void beforeStep(long step) {
        context.killTaskIfInterrupted();
    }

    @Override
    public void afterCheckpoint(long step) {
        context.barrier();
    }
}
