package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import java.util.Comparator;
import org.sparkbert.tokenize.masking.StreamSeed;

/**
 * Where an instance comes from (its source: document index, or packing group for mlm; the duplicate
 * round; its ordinal within the source) and a pseudo-random rank derived from those and the seed.
 * Sorting by the rank shuffles the instances across documents as BERT's final shuffle does, and
 * numbering them in that order gives ids that depend only on the seed and the input, never on how
 * Spark partitioned the data. The source fields make the order total.
 */
public record InstanceKey(long rank, long source, int dupe, int ordinal)
        implements Comparable<InstanceKey>, Serializable {
    private static final Comparator<InstanceKey> ORDER = Comparator.comparingLong(InstanceKey::rank)
            .thenComparingLong(InstanceKey::source)
            .thenComparingInt(InstanceKey::dupe)
            .thenComparingInt(InstanceKey::ordinal);

    public static InstanceKey of(long seed, long source, int dupe, int ordinal) {
        return new InstanceKey(StreamSeed.of(seed, source, dupe, ordinal), source, dupe, ordinal);
    }

    @Override
    public int compareTo(InstanceKey other) {
        return ORDER.compare(this, other);
    }
}
