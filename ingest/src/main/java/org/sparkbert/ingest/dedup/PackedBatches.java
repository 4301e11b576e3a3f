package org.sparkbert.ingest.dedup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import scala.Tuple2;

/**
 * Fixed-width records of longs made from a partition's items, packed per target partition into
 * arrays: a shuffle then serialises a few arrays instead of an object per record, which with Java
 * serialisation costs more than the deduplication work itself. Items are consumed as the arrays are.
 */
final class PackedBatches<T> implements Iterator<Tuple2<Integer, long[]>> {
    /** Adds the records of one item. */
    interface Packer<T> {
        void pack(T item, PackedBatches<T> out);
    }

    private static final int RECORDS_PER_BATCH = 8192;

    private final Iterator<T> items;
    private final Packer<T> packer;
    private final int width;
    private final long[][] buffers;
    private final int[] filled;
    private final ArrayDeque<Tuple2<Integer, long[]>> ready = new ArrayDeque<>();
    private boolean flushed;

    PackedBatches(Iterator<T> items, int partitions, int width, Packer<T> packer) {
        this.items = items;
        this.packer = packer;
        this.width = width;
        this.buffers = new long[partitions][width * RECORDS_PER_BATCH];
        this.filled = new int[partitions];
    }

    /** The partition of a record keyed by a hash. */
    int partitionOf(long hash) {
        return (int) Long.remainderUnsigned(hash, buffers.length);
    }

    /** One record of {@code width} longs for partition {@code p}. */
    void add(int p, long... record) {
        long[] b = buffers[p];
        System.arraycopy(record, 0, b, filled[p], width);
        filled[p] += width;
        if (filled[p] == b.length) {
            ready.add(new Tuple2<>(p, b.clone()));
            filled[p] = 0;
        }
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && items.hasNext()) {
            packer.pack(items.next(), this);
        }
        if (ready.isEmpty() && !flushed) {
            flushed = true;
            for (int p = 0; p < buffers.length; p++) {
                if (filled[p] > 0) {
                    ready.add(new Tuple2<>(p, Arrays.copyOf(buffers[p], filled[p])));
                }
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public Tuple2<Integer, long[]> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    /** The records of a partition's batches, grouped by their first two longs (a {@link Hash128}). */
    static Map<Hash128, List<long[]>> groupedByHash(Iterator<Tuple2<Integer, long[]>> batches, int width) {
        Map<Hash128, List<long[]>> groups = new HashMap<>();
        batches.forEachRemaining(batch -> {
            long[] b = batch._2();
            for (int i = 0; i < b.length; i += width) {
                groups.computeIfAbsent(new Hash128(b[i], b[i + 1]), k -> new ArrayList<>())
                        .add(Arrays.copyOfRange(b, i, i + width));
            }
        });
        return groups;
    }
}
