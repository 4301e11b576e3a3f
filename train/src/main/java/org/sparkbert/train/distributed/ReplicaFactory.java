package org.sparkbert.train.distributed;

import java.io.Serializable;
import java.util.List;
import org.sparkbert.engine.loop.HeldOutEvaluation;
import org.sparkbert.engine.loop.Replica;

/**
 * Builds the replicas of a run on the executors (and, for the tree strategy, the driver's): Spark
 * serialises it into the tasks, so it carries the configuration, never a model.
 *
 * @param <T> one training record (an instance)
 * @param <R> the engine's replica
 */
public interface ReplicaFactory<T, R extends Replica> extends Serializable {

    /**
     * The replica that owns the record at {@code index} in the run's fixed record order (for a
     * BERT run: instances sorted by id), among {@code replicas} replicas. Must not depend on anything
     * but its arguments and the factory's configuration.
     */
    int replicaOf(long index, int replicas);

    /**
     * Replica {@code rank} of {@code replicas}, holding its own records in order of their index
     * ({@code rank} is -1 for the tree strategy's driver replica, which holds no records).
     */
    R open(int rank, int replicas, List<Indexed<T>> records);

    /** The held-out scoring the writing replica runs beside training (a model of its own), or null for none. */
    default HeldOutEvaluation evaluation() {
        return null;
    }

    /** Whether the tree strategy needs the {@link Replica#statistics} round before the gradients. */
    default boolean needsStatistics() {
        return false;
    }

    /** A record and its place in the run's record order. */
    record Indexed<T>(long index, T record) implements Serializable {}
}
