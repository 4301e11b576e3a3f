package org.sparkbert.train.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;

class ShardedBatchesTest {
    private static final int B = 8, T = 16, INSTANCES = 29, SEED = 5;
    private static BatchAssembler assembler;
    private static List<Instance> instances;

    @BeforeAll
    static void instances() throws Exception {
        Tokenizer tokenizer = Tokenizers.load(
                Path.of(System.getProperty("sparkbert.shared.data"), "bert").toString(), new Configuration(), null);
        SpecialTokens s = SpecialTokens.of(tokenizer);
        assembler = new BatchAssembler(new DynamicMasker(tokenizer, 0.3, 4, false, 99), s.pad(), T);
        Random random = new Random(3);
        instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            int n = 6 + random.nextInt(T - 6);
            int[] ids = new int[n], types = new int[n];
            ids[0] = s.cls();
            for (int t = 1; t < n - 1; t++) ids[t] = 2000 + random.nextInt(5000);
            ids[n - 1] = s.sep();
            instances.add(new Instance(100 + 3L * i, ids, types, i % 2)); // sorted by id
        }
    }

    @Test
    void shardSizesDifferByAtMostOne() {
        for (int n : new int[] {8, 9, 29, 64, 1001}) {
            for (int b : new int[] {1, 3, 8}) {
                int min = Integer.MAX_VALUE, max = 0, sum = 0;
                for (int k = 0; k < b; k++) {
                    int size = ShardedBatches.shardSize(n, b, k);
                    min = Math.min(min, size);
                    max = Math.max(max, size);
                    sum += size;
                }
                assertTrue(max - min <= 1, n + " instances in " + b + " shards: sizes " + min + " to " + max);
                assertEquals(n, sum);
            }
        }
        List<List<Instance>> shards = ShardedBatches.shardsOf(instances, B, 0, B);
        for (int k = 0; k < B; k++) {
            assertEquals(
                    ShardedBatches.shardSize(INSTANCES, B, k), shards.get(k).size());
            for (Instance i : shards.get(k)) assertEquals(k, ShardedBatches.shard(instances.indexOf(i), B));
        }
        assertEquals(2.0, ShardedBatches.epoch(29, 2, 29));
    }

    /** 1 process, 2 replicas and 4 replicas, with and without accumulation, see the same global batches. */
    @Test
    void theGlobalBatchesDoNotDependOnTheReplicaCount() {
        ShardedBatches whole = ShardedBatches.all(instances, assembler, B, 1, SEED);
        int[][] splits = {{2, 1}, {2, 2}, {4, 1}, {1, 4}, {4, 2}};
        for (int[] split : splits) {
            int replicas = split[0], accumulate = split[1];
            List<ShardedBatches> holders = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                ShardedBatches h = ShardedBatches.forReplica(instances, assembler, B, replicas, r, accumulate, SEED);
                assertEquals(r * accumulate, h.firstMicroBatch());
                assertEquals(accumulate, h.microBatchesPerStep());
                holders.add(h);
            }
            for (long step = 0; step < 12; step++) { // past the first shard epoch (3 or 4 instances per shard)
                List<Batch> rows = whole.microBatches(step);
                List<Batch> split_ = new ArrayList<>();
                for (ShardedBatches h : holders) split_.addAll(h.microBatches(step));
                assertSameRows(rows, split_, replicas + " x " + accumulate + " at step " + step);
            }
        }
    }

    /** Each shard epoch visits every instance of the shard once, in an order of its own, masked anew. */
    @Test
    void everyShardEpochIsAPermutationOfTheShard() {
        ShardedBatches whole = ShardedBatches.all(instances, assembler, B, B, SEED);
        Map<String, Integer> byTokens = new HashMap<>();
        for (int i = 0; i < INSTANCES; i++)
            byTokens.put(Arrays.toString(instances.get(i).inputIds()), i);
        int shard = 5, n = ShardedBatches.shardSize(INSTANCES, B, shard);
        List<List<Integer>> epochs = new ArrayList<>();
        List<int[]> masked = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            List<Integer> seen = new ArrayList<>();
            for (long step = (long) e * n; step < (long) (e + 1) * n; step++) {
                Batch batch = whole.microBatches(step).get(0);
                Integer index = byTokens.get(Arrays.toString(original(batch, shard)));
                assertTrue(index != null, "row " + shard + " restores an instance");
                assertEquals(shard, ShardedBatches.shard(index, B), "row k of a global batch comes from shard k");
                seen.add(index);
                masked.add(Arrays.copyOfRange(batch.inputIds(), shard * T, shard * T + T));
            }
            assertEquals(
                    n,
                    new HashSet<>(seen).size(),
                    "shard epoch " + e + " visits each of its " + n + " instances once: " + seen);
            epochs.add(seen);
        }
        assertFalse(
                epochs.get(0).equals(epochs.get(1)) && epochs.get(1).equals(epochs.get(2)),
                "each shard epoch its own order");
        Set<String> masks = new HashSet<>();
        for (int[] m : masked) masks.add(Arrays.toString(m));
        assertTrue(
                masks.size() > n,
                "an instance is masked afresh in each shard epoch: " + masks.size() + " distinct rows");
    }

    /** Nothing but the step decides a step's batches: any order of calls, any object. */
    @Test
    void batchesAreAFunctionOfTheStep() {
        ShardedBatches a = ShardedBatches.forReplica(instances, assembler, B, 2, 1, 2, SEED);
        List<Batch> seventh = a.microBatches(7);
        a.microBatches(2);
        a.microBatches(30);
        ShardedBatches b = ShardedBatches.forReplica(instances, assembler, B, 2, 1, 2, SEED);
        assertSameRows(seventh, a.microBatches(7), "again on the same object");
        assertSameRows(seventh, b.microBatches(7), "on a fresh object");
        ShardedBatches otherSeed = ShardedBatches.forReplica(instances, assembler, B, 2, 1, 2, SEED + 1);
        assertFalse(
                Arrays.equals(
                        seventh.get(0).inputIds(),
                        otherSeed.microBatches(7).get(0).inputIds()),
                "the seed matters");
    }

    @Test
    void refusesSplitsThatDoNotFit() {
        assertThrows(
                IllegalArgumentException.class,
                () -> ShardedBatches.forReplica(instances, assembler, B, 3, 0, 1, SEED));
        assertThrows(
                IllegalArgumentException.class,
                () -> ShardedBatches.all(instances.subList(0, 5), assembler, B, 1, SEED));
    }

    /** Row r of the batch with its masked tokens restored, padding dropped. */
    private static int[] original(Batch batch, int r) {
        int[] ids = batch.inputIds().clone();
        for (int k = 0; k < batch.predictions(); k++) ids[batch.maskedPositions()[k]] = batch.maskedLabels()[k];
        int length = 0;
        while (length < T && batch.attentionMask()[r * T + length] != 0) length++;
        return Arrays.copyOfRange(ids, r * T, r * T + length);
    }

    private static void assertSameRows(List<Batch> expected, List<Batch> actual, String what) {
        int[] e = concat(expected, Batch::inputIds), a = concat(actual, Batch::inputIds);
        assertArrayEquals(e, a, what + ": input ids");
        assertArrayEquals(
                concat(expected, Batch::attentionMask), concat(actual, Batch::attentionMask), what + ": attention");
        assertArrayEquals(
                concat(expected, Batch::sentenceLabels), concat(actual, Batch::sentenceLabels), what + ": labels");
        assertArrayEquals(
                concat(expected, Batch::maskedLabels), concat(actual, Batch::maskedLabels), what + ": masked labels");
    }

    private static int[] concat(List<Batch> batches, java.util.function.Function<Batch, int[]> field) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(field.apply(b))).toArray();
    }
}
