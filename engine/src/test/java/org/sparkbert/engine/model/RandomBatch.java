package org.sparkbert.engine.model;

import java.util.Random;

/** The synthetic batch the step benchmarks time: random ids, every position real, a fixed number masked per sequence. */
public final class RandomBatch {
    private RandomBatch() {}

    public static Batch of(Random random, int B, int T, int perSequence, int V) {
        int[] ids = new int[B * T], types = new int[B * T], mask = new int[B * T], labels = new int[B];
        int[] positions = new int[B * perSequence], targets = new int[B * perSequence];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                ids[b * T + t] = random.nextInt(V);
                types[b * T + t] = t >= T / 2 ? 1 : 0;
                mask[b * T + t] = 1;
            }
            int[] chosen =
                    random.ints(1, T).distinct().limit(perSequence).sorted().toArray();
            for (int j = 0; j < perSequence; j++) {
                positions[b * perSequence + j] = b * T + chosen[j];
                targets[b * perSequence + j] = ids[b * T + chosen[j]];
            }
            labels[b] = random.nextInt(2);
        }
        return new Batch(B, T, ids, types, mask, positions, targets, labels);
    }
}
