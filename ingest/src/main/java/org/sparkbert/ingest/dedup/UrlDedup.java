package org.sparkbert.ingest.dedup;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.sparkbert.ingest.Page;

/**
 * One page per normalised URL, as C4's {@code select_newest_page}: the newest timestamp wins, a page
 * without a timestamp loses to any with one, and ties go to the smallest id, then the input order.
 * Pages are grouped by the MD5 of their normalised URL (equal MD5s are equal URLs, as the exact and
 * line steps take equal MD5s for equal texts and lines); only numbers move, packed in arrays.
 */
public final class UrlDedup {
    /** Longs per record: URL hash (2), has a timestamp (0/1), its microseconds, id (2), key. */
    private static final int RECORD = 7;

    private static final Comparator<long[]> NEWEST_FIRST = Comparator.comparingLong((long[] r) -> -r[2])
            .thenComparing((long[] r) -> r[3], Comparator.reverseOrder())
            .thenComparing((long[] r) -> new Hash128(r[4], r[5]))
            .thenComparingLong(r -> r[6]);

    private UrlDedup() {}

    /** @param docs this run's pages; returns the drops. */
    public static JavaRDD<Drop> drops(JavaRDD<Page> docs, int partitions) {
        return docs.filter(p -> p.urlKey != null)
                .mapPartitionsToPair(pages -> new PackedBatches<Page>(pages, partitions, RECORD, (p, out) -> {
                    Hash128 url = Hash128.of(Hashes.md5(p.urlKey));
                    Hash128 id = Hash128.ofHex(p.id);
                    out.add(
                            out.partitionOf(url.hi()),
                            url.hi(),
                            url.lo(),
                            p.timestamp == null ? 0 : 1,
                            p.timestamp == null ? 0 : micros(p.timestamp),
                            id.hi(),
                            id.lo(),
                            p.key);
                }))
                .partitionBy(new HashPartitioner(partitions))
                .mapPartitions(batches -> {
                    List<Drop> out = new ArrayList<>();
                    for (List<long[]> group :
                            PackedBatches.groupedByHash(batches, RECORD).values()) {
                        if (group.size() > 1) {
                            group.sort(NEWEST_FIRST);
                            String survivor = new Hash128(group.get(0)[4], group.get(0)[5]).hex();
                            for (long[] r : group.subList(1, group.size())) {
                                out.add(new Drop(r[6], DuplicateReason.URL, survivor));
                            }
                        }
                    }
                    return out.iterator();
                });
    }

    /** Spark's own conversion: sub-microsecond digits are cut, so that ties are ties as the SQL ordering saw them. */
    static long micros(Timestamp t) {
        return Math.multiplyExact(t.getTime(), 1000L) + (t.getNanos() / 1000) % 1000;
    }
}
