package org.sparkbert.train.job;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the instances: a Fisher-Yates shuffle drawn from (seed,
 * epoch) alone, so that a run and its resumption see the same sequence of batches.
 */
public final class EpochOrder {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private EpochOrder() {
    }

    public static int[] of(int count, long seed, int epoch) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        // SplittableRandom mixes its seed through SplitMix64, so neighbouring epochs give unrelated orders.
        SplittableRandom rng = new SplittableRandom(seed + GOLDEN_GAMMA * (epoch + 1L));
        for (int i = count - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
