package org.sparkbert.engine.loop;

import java.io.IOException;
import org.sparkbert.engine.collective.RingAllReduce;

/** The replicas of a barrier stage summing through the ring; keeps the time spent in all-reduce. */
public final class RingGroup implements ReplicaGroup {
    private final RingAllReduce ring;
    private long nanos;

    public RingGroup(RingAllReduce ring) {
        this.ring = ring;
    }

    @Override
    public int rank() {
        return ring.rank();
    }

    @Override
    public int size() {
        return ring.size();
    }

    @Override
    public void allReduce(float[] buf, int offset, int length) throws IOException {
        long start = System.nanoTime();
        ring.allReduce(buf, offset, length);
        nanos += System.nanoTime() - start;
    }

    /** Seconds spent in all-reduce since the last call. */
    public double takeSeconds() {
        double s = nanos / 1e9;
        nanos = 0;
        return s;
    }
}
