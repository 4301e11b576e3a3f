package org.sparkbert.ingest.dedup;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.sparkbert.ingest.Page;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Exact duplicates of whole pages: equal MD5 of the cleaned text. A page whose text an earlier output
 * already holds is dropped in favour of that output's page (its smallest id); among this run's pages
 * the smallest id survives (then the input order). Only the hashes, ids and keys move.
 */
public final class ExactDedup {
    private ExactDedup() {
    }

    private static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final long key;
        final String id;

        Holder(Page p) {
            key = p.key;
            id = p.id;
        }
    }

    private static final Comparator<Holder> SMALLEST_FIRST = Comparator.comparing((Holder h) -> h.id)
            .thenComparingLong(h -> h.key);

    /**
     * @param docs     this run's pages
     * @param previous rows with {@code id, text} of the earlier outputs' pages, or null
     */
    public static JavaRDD<Drop> drops(JavaRDD<Page> docs, JavaRDD<Row> previous, int partitions) {
        JavaPairRDD<String, Holder> current = docs.mapToPair(p -> new Tuple2<>(p.textHash, new Holder(p)));
        if (previous == null) {
            return current.groupByKey(partitions).flatMap(group -> within(group._2(), null));
        }
        JavaPairRDD<String, String> known = previous
                .mapToPair(r -> new Tuple2<>(Hashes.md5Hex(r.getString(1)), r.getString(0)))
                .reduceByKey((a, b) -> a.compareTo(b) <= 0 ? a : b, partitions);
        return current.cogroup(known, partitions).flatMap(group -> {
            Iterator<String> earlier = group._2()._2().iterator();
            return within(group._2()._1(), earlier.hasNext() ? earlier.next() : null);
        });
    }

    /** The drops among pages of one text, all of them when an earlier output holds it ({@code earlierId}). */
    private static Iterator<Drop> within(Iterable<Holder> group, String earlierId) {
        List<Holder> holders = new ArrayList<>();
        group.forEach(holders::add);
        List<Drop> out = new ArrayList<>();
        if (earlierId != null) {
            for (Holder h : holders) {
                out.add(new Drop(h.key, DuplicateReason.EXACT_PREVIOUS, earlierId));
            }
        } else if (holders.size() > 1) {
            holders.sort(SMALLEST_FIRST);
            for (Holder h : holders.subList(1, holders.size())) {
                out.add(new Drop(h.key, DuplicateReason.EXACT, holders.get(0).id));
            }
        }
        return out.iterator();
    }
}
