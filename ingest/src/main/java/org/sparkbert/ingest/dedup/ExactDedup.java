package org.sparkbert.ingest.dedup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.sparkbert.ingest.Page;

/**
 * Exact duplicates of whole pages: equal MD5 of the cleaned text. A page whose text an earlier output
 * already holds is dropped in favour of that output's page (its smallest id); among this run's pages
 * the smallest id survives (then the input order). Only numbers move, packed in arrays.
 */
public final class ExactDedup {
    /** Longs per record: text hash (2), id (2), key, from an earlier output (0/1). */
    private static final int RECORD = 6;

    private static final Comparator<long[]> SMALLEST_FIRST =
            Comparator.comparing((long[] r) -> new Hash128(r[2], r[3])).thenComparingLong(r -> r[4]);

    private ExactDedup() {}

    /**
     * @param docs     this run's pages
     * @param previous rows with {@code id, text} of the earlier outputs' pages, or null
     */
    public static JavaRDD<Drop> drops(JavaRDD<Page> docs, JavaRDD<Row> previous, int partitions) {
        JavaPairRDD<Integer, long[]> current = docs.mapPartitionsToPair(pages -> new PackedBatches<Page>(
                pages,
                partitions,
                RECORD,
                (p, out) -> add(out, Hash128.ofHex(p.textHash), Hash128.ofHex(p.id), p.key, 0)));
        if (previous != null) {
            current = current.union(previous.mapPartitionsToPair(rows -> new PackedBatches<Row>(
                    rows,
                    partitions,
                    RECORD,
                    (r, out) ->
                            add(out, Hash128.of(Hashes.md5(r.getString(1))), Hash128.ofHex(r.getString(0)), -1, 1))));
        }
        return current.partitionBy(new HashPartitioner(partitions)).mapPartitions(batches -> {
            List<Drop> out = new ArrayList<>();
            for (List<long[]> group :
                    PackedBatches.groupedByHash(batches, RECORD).values()) {
                group.sort(SMALLEST_FIRST);
                long[] earlier =
                        group.stream().filter(r -> r[5] == 1).findFirst().orElse(null);
                List<long[]> ours = group.stream().filter(r -> r[5] == 0).toList();
                if (earlier != null) {
                    String survivor = new Hash128(earlier[2], earlier[3]).hex();
                    ours.forEach(r -> out.add(new Drop(r[4], DuplicateReason.EXACT_PREVIOUS, survivor)));
                } else if (ours.size() > 1) {
                    String survivor = new Hash128(ours.get(0)[2], ours.get(0)[3]).hex();
                    ours.subList(1, ours.size()).forEach(r -> out.add(new Drop(r[4], DuplicateReason.EXACT, survivor)));
                }
            }
            return out.iterator();
        });
    }

    private static <T> void add(PackedBatches<T> out, Hash128 text, Hash128 id, long key, long earlier) {
        out.add(out.partitionOf(text.hi()), text.hi(), text.lo(), id.hi(), id.lo(), key, earlier);
    }
}
