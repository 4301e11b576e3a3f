package org.sparkbert.engine.loop;

import java.io.IOException;

/**
 * One model replica of a synchronous data-parallel run, as the Spark shell drives it: the training
 * engine behind it knows nothing of Spark. A replica holds the data of its own shards and trains on
 * the micro-batches the run's data order gives it at each step; a step is a pure function of the
 * weights, the optimiser state, the seed and the step number, so that a resumed run repeats it exactly.
 *
 * <p>The ring strategy calls {@link #step}; the tree strategy splits the same step into {@link
 * #statistics} and {@link #localGradients} on the executors' replicas and {@link #apply} on the
 * driver's, whose buffers sum across replicas exactly as the ring sums them.
 */
public interface Replica extends AutoCloseable {

    /** Optimiser step {@code step} (0-based): gradients of this replica's micro-batches, summed over the group, applied. */
    StepSummary step(long step, ReplicaGroup group) throws IOException;

    /**
     * Tree strategy, first round: what this replica contributes to the step's normalisation (such
     * as its masked-prediction count), to be summed over the replicas; an empty array when the
     * engine needs no such round.
     */
    float[] statistics(long step);

    /** Tree strategy, second round: this replica's share of the buffer that {@link #apply} takes once summed. */
    float[] localGradients(long step, float[] summedStatistics);

    /** Tree strategy, on the driver: applies the summed buffer as step {@code step}. */
    StepSummary apply(long step, float[] summed);

    /** The model's parameters as one flat array (a copy). */
    float[] weights();

    /** Replaces the model's parameters (tree strategy: the driver's weights before each step). */
    void setWeights(float[] weights);

    @Override
    void close();
}
