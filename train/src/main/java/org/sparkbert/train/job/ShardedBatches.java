package org.sparkbert.train.job;

import java.util.ArrayList;
import java.util.List;
import org.sparkbert.engine.checkpoint.TrainerState;
import org.sparkbert.engine.checkpoint.TrainingConfig;
import org.sparkbert.engine.loop.BatchSource;
import org.sparkbert.engine.model.Batch;

/**
 * The data order of a run as a function of (seed, step) alone, whatever the number of replicas.
 *
 * <p>The instances, sorted by id, get global indices i = 0, 1, ...; instance i belongs to data shard
 * {@link #shard}(i, B) = i mod B, B being the global batch (sequences per optimiser step), so shard
 * sizes differ by at most one. Step s (0-based) takes one instance from every shard: from shard k of
 * n_k instances, element s mod n_k of shard k's order for its shard epoch s div n_k
 * ({@link EpochOrder#of(int, long, int, int)}), masked for that shard epoch. Row k of the global batch
 * is shard k's instance, so it is global sequence k; global micro-batch g of size micro holds shards
 * [g * micro, (g + 1) * micro).
 *
 * <p>A holder needs only its own shards: replica r of N with accumulate micro-batches holds shards
 * [r * B / N, (r + 1) * B / N), that is global micro-batches r * accumulate ... The only position is
 * the step, so a resumed run needs nothing else.
 */
public final class ShardedBatches implements BatchSource {

    private final int firstShard;
    private final List<List<Instance>> shards;
    private final BatchAssembler assembler;
    private final int globalBatch;
    private final int microBatch;
    private final long seed;
    /** The last shard order drawn per shard, a cache: orders are pure functions of (seed, shard, epoch). */
    private final int[] cachedEpoch;

    private final int[][] cachedOrder;

    /**
     * A holder of shards [firstShard, firstShard + shards.size()), shards.get(j) holding shard
     * firstShard + j's instances in global index (instance id) order, which make micro-batches of
     * microBatch rows out of a global batch of globalBatch rows.
     */
    public ShardedBatches(
            int firstShard,
            List<List<Instance>> shards,
            BatchAssembler assembler,
            int globalBatch,
            int microBatch,
            long seed) {
        if (microBatch < 1 || globalBatch % microBatch != 0) {
            throw new IllegalArgumentException(
                    "the global batch " + globalBatch + " is not a multiple of the micro-batch " + microBatch);
        }
        if (firstShard < 0
                || firstShard % microBatch != 0
                || shards.isEmpty()
                || shards.size() % microBatch != 0
                || firstShard + shards.size() > globalBatch) {
            throw new IllegalArgumentException("shards [" + firstShard + ", " + (firstShard + shards.size())
                    + ") are not whole micro-batches of " + microBatch + " within a global batch of " + globalBatch);
        }
        for (int j = 0; j < shards.size(); j++) {
            if (shards.get(j).isEmpty()) {
                throw new IllegalArgumentException("data shard " + (firstShard + j)
                        + " is empty: fewer instances than the global batch " + globalBatch);
            }
        }
        this.firstShard = firstShard;
        this.shards = List.copyOf(shards);
        this.assembler = assembler;
        this.globalBatch = globalBatch;
        this.microBatch = microBatch;
        this.seed = seed;
        this.cachedEpoch = new int[shards.size()];
        java.util.Arrays.fill(cachedEpoch, -1);
        this.cachedOrder = new int[shards.size()][];
    }

    /** One process holding every shard of instances sorted by id. */
    public static ShardedBatches all(
            List<Instance> sortedById, BatchAssembler assembler, int globalBatch, int microBatch, long seed) {
        return new ShardedBatches(
                0, shardsOf(sortedById, globalBatch, 0, globalBatch), assembler, globalBatch, microBatch, seed);
    }

    /**
     * Replica rank of replicas, each step contributing accumulate micro-batches of globalBatch /
     * (replicas * accumulate) rows, from instances sorted by id (of which it keeps its shards).
     */
    public static ShardedBatches forReplica(
            List<Instance> sortedById,
            BatchAssembler assembler,
            int globalBatch,
            int replicas,
            int rank,
            int accumulate,
            long seed) {
        if (replicas < 1 || accumulate < 1 || globalBatch % (replicas * accumulate) != 0) {
            throw new IllegalArgumentException("the global batch " + globalBatch + " does not split into " + replicas
                    + " replicas x " + accumulate + " micro-batches");
        }
        if (rank < 0 || rank >= replicas) throw new IllegalArgumentException("rank " + rank + " of " + replicas);
        int perReplica = globalBatch / replicas;
        return new ShardedBatches(
                rank * perReplica,
                shardsOf(sortedById, globalBatch, rank * perReplica, perReplica),
                assembler,
                globalBatch,
                perReplica / accumulate,
                seed);
    }

    /** The data shard of the instance with this global index (its rank in instance id order). */
    public static int shard(long globalIndex, int globalBatch) {
        if (globalIndex < 0 || globalBatch < 1)
            throw new IllegalArgumentException("index " + globalIndex + ", global batch " + globalBatch);
        return (int) (globalIndex % globalBatch);
    }

    /** How many of `instances` instances fall into shard k: ceil((instances - k) / globalBatch). */
    public static int shardSize(long instances, int globalBatch, int shard) {
        return (int) Math.max(0, (instances - shard + globalBatch - 1) / globalBatch);
    }

    /** Epochs completed after this many steps, as a fraction: steps * globalBatch / instances. */
    public static double epoch(long steps, int globalBatch, long instances) {
        return (double) steps * globalBatch / instances;
    }

    /**
     * Where the data stands after this many steps, as trainer_state.json records it: {whole passes over
     * the instances, instances into the next pass}, counting steps * globalBatch instances consumed. The
     * step alone decides it (each shard's own position is step mod its size).
     */
    public static long[] position(long steps, int globalBatch, long instances) {
        long seen = Math.multiplyExact(steps, (long) globalBatch);
        return new long[] {seen / instances, seen % instances};
    }

    /** trainer_state.json of a run of this data order after this many steps. */
    public static TrainerState state(long steps, int globalBatch, long instances, long seed, TrainingConfig config) {
        long[] position = position(steps, globalBatch, instances);
        return new TrainerState(steps, epoch(steps, globalBatch, instances), position[0], position[1], seed, config);
    }

    /** Shards [firstShard, firstShard + count) of instances sorted by id, each in global index order. */
    public static List<List<Instance>> shardsOf(List<Instance> sortedById, int globalBatch, int firstShard, int count) {
        List<List<Instance>> out = new ArrayList<>(count);
        for (int k = firstShard; k < firstShard + count; k++) {
            List<Instance> shard = new ArrayList<>(shardSize(sortedById.size(), globalBatch, k));
            for (int i = k; i < sortedById.size(); i += globalBatch) shard.add(sortedById.get(i));
            out.add(shard);
        }
        return out;
    }

    /** The global micro-batch index of this holder's first micro-batch. */
    @Override
    public int firstMicroBatch() {
        return firstShard / microBatch;
    }

    /** Micro-batches this holder contributes to each step. */
    public int microBatchesPerStep() {
        return shards.size() / microBatch;
    }

    /**
     * This holder's micro-batches of step `step` (0-based: the step run after `step` steps), in global
     * micro-batch order from {@link #firstMicroBatch()}.
     */
    @Override
    public List<Batch> microBatches(long step) {
        if (step < 0) throw new IllegalArgumentException("step " + step + " < 0");
        List<Batch> out = new ArrayList<>(microBatchesPerStep());
        for (int m = 0; m < microBatchesPerStep(); m++) {
            List<Instance> rows = new ArrayList<>(microBatch);
            int[] epochs = new int[microBatch];
            for (int r = 0; r < microBatch; r++) {
                int j = m * microBatch + r;
                List<Instance> shard = shards.get(j);
                int n = shard.size();
                epochs[r] = Math.toIntExact(step / n);
                rows.add(shard.get(order(j, epochs[r])[(int) (step % n)]));
            }
            out.add(assembler.assemble(rows, epochs));
        }
        return out;
    }

    private int[] order(int j, int epoch) {
        if (cachedEpoch[j] != epoch) {
            cachedOrder[j] = EpochOrder.of(shards.get(j).size(), seed, firstShard + j, epoch);
            cachedEpoch[j] = epoch;
        }
        return cachedOrder[j];
    }
}
