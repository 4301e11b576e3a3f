package org.sparkbert.train.job;

import java.util.ArrayList;
import java.util.List;
import org.sparkbert.train.model.Batch;

/**
 * The sequence of batches a run trains on: epoch after epoch, each in its own shuffled order
 * ({@link EpochOrder}), each instance masked afresh for its epoch. A batch never spans two epochs
 * (the last rows of an epoch that do not fill a batch are left for the next shuffle), so that
 * (epoch, position) says exactly where a resumed run continues.
 */
public final class BatchStream {

    private final List<Instance> instances;
    private final BatchAssembler assembler;
    private final int batchSize;
    private final long seed;
    private int epoch;
    private int position;
    private int[] order;

    public BatchStream(List<Instance> instances, BatchAssembler assembler, int batchSize, long seed) {
        if (instances.size() < batchSize) {
            throw new IllegalArgumentException("only " + instances.size() + " instances for batches of " + batchSize);
        }
        this.instances = instances;
        this.assembler = assembler;
        this.batchSize = batchSize;
        this.seed = seed;
        this.order = EpochOrder.of(instances.size(), seed, 0);
    }

    public Batch next() {
        if (position + batchSize > order.length) {
            epoch++;
            position = 0;
            order = EpochOrder.of(instances.size(), seed, epoch);
        }
        List<Instance> rows = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            rows.add(instances.get(order[position + i]));
        }
        position += batchSize;
        return assembler.assemble(rows, epoch);
    }

    public int epoch() {
        return epoch;
    }

    /** How many instances of the current epoch were consumed. */
    public int position() {
        return position;
    }
}
