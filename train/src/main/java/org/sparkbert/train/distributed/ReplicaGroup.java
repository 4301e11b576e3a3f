package org.sparkbert.train.distributed;

import java.io.IOException;

/**
 * The replicas of one synchronous data-parallel run as a replica sees them: its rank, their number,
 * and an in-place sum of a float buffer over all of them (bit-identical on every replica).
 */
public interface ReplicaGroup {
    int rank();

    int size();

    /** Replaces {@code buf[offset .. offset+length)} by its sum over all replicas. */
    void allReduce(float[] buf, int offset, int length) throws IOException;

    /** One replica alone: the sum is the buffer itself. */
    static ReplicaGroup single() {
        return new ReplicaGroup() {
            @Override public int rank() { return 0; }
            @Override public int size() { return 1; }
            @Override public void allReduce(float[] buf, int offset, int length) { }
        };
    }
}
