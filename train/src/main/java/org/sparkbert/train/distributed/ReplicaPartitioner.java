package org.sparkbert.train.distributed;

import org.apache.spark.Partitioner;

/** Partition r holds replica r's records: the key is the replica's rank. */
final class ReplicaPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int replicas;

    ReplicaPartitioner(int replicas) {
        this.replicas = replicas;
    }

    @Override
    public int numPartitions() {
        return replicas;
    }

    @Override
    public int getPartition(Object key) {
        int rank = (Integer) key;
        if (rank < 0 || rank >= replicas) {
            throw new IllegalArgumentException("record assigned to replica " + rank + " of " + replicas);
        }
        return rank;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReplicaPartitioner p && p.replicas == replicas;
    }

    @Override
    public int hashCode() {
        return replicas;
    }
}
