package org.sparkbert.train.job;

import java.util.SplittableRandom;

/**
 * The order in which one data shard's epoch visits the shard's instances ({@link ShardedBatches}): a
 * Fisher-Yates shuffle drawn from (seed, shard, epoch) alone, so that a run and its resumption, on
 * any number of replicas, see the same sequence of batches.
 */
public final class EpochOrder {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private EpochOrder() {}

    /** The order of one data shard's instances in one of its epochs. */
    public static int[] of(int count, long seed, int shard, int epoch) {
        // SplittableRandom mixes its seed through SplitMix64, so neighbouring shards and epochs give unrelated orders.
        long shardSeed = new SplittableRandom(seed + GOLDEN_GAMMA * (shard + 1L)).nextLong();
        return shuffled(count, new SplittableRandom(shardSeed + GOLDEN_GAMMA * (epoch + 1L)));
    }

    private static int[] shuffled(int count, SplittableRandom rng) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
