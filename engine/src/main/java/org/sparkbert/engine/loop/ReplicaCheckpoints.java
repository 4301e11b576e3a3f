package org.sparkbert.engine.loop;

import java.io.IOException;
import java.io.Serializable;
import java.util.OptionalLong;

/**
 * Where a distributed run keeps its checkpoints (any Hadoop FileSystem): serialised into the tasks,
 * so that the ring's rank 0 can write them and every rank of a retried stage can read them.
 */
public interface ReplicaCheckpoints<R extends Replica> extends Serializable {

    /** The step of the newest complete, verified checkpoint; empty when there is none. */
    OptionalLong latestStep() throws IOException;

    /** Loads the checkpoint of {@code step} into the replica (weights, optimiser and trainer state). */
    void restore(long step, R replica) throws IOException;

    /** Writes the replica's state after {@code step} steps (atomically, pruning old ones). */
    void save(long step, R replica) throws IOException;
}
