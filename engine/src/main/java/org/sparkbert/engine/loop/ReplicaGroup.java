package org.sparkbert.engine.loop;

import java.io.IOException;

/**
 * The model replicas that train one global batch together, as {@link Trainer} sees them: this
 * replica's rank among size replicas and an in-place sum across all of them. Every replica calls
 * allReduce with the same offset and length in the same order; afterwards every replica holds the
 * same sum, bit for bit (a fixed summation order), which is what keeps the replicas' weights equal.
 */
public interface ReplicaGroup {

    int rank();

    int size();

    /** Replaces buf[offset, offset + length) on every replica with its sum over the replicas. */
    void allReduce(float[] buf, int offset, int length) throws IOException;

    /** One replica alone: the sum is the buffer itself. */
    static ReplicaGroup single() {
        return new ReplicaGroup() {
            @Override
            public int rank() {
                return 0;
            }

            @Override
            public int size() {
                return 1;
            }

            @Override
            public void allReduce(float[] buf, int offset, int length) {}
        };
    }
}
