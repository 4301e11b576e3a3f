package org.sparkbert.ingest.dedup;

import org.apache.spark.api.java.JavaRDD;
import org.sparkbert.ingest.Page;
import scala.Tuple2;

import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One page per normalised URL, as C4's {@code select_newest_page}: the newest timestamp wins, a page
 * without a timestamp loses to any with one, and ties go to the smallest id, then the input order.
 * Only each page's key, id and timestamp move; the texts stay put.
 */
public final class UrlDedup {
    private UrlDedup() {
    }

    /** A page as this step sees it. */
    private static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final long key;
        final String id;
        /** Microseconds since the epoch, as Spark keeps timestamps, or null. */
        final Long micros;

        Holder(Page p) {
            key = p.key;
            id = p.id;
            micros = p.timestamp == null ? null : micros(p.timestamp);
        }
    }

    private static final Comparator<Holder> NEWEST_FIRST = Comparator
            .comparing((Holder h) -> h.micros, Comparator.nullsLast(Comparator.<Long>reverseOrder()))
            .thenComparing(h -> h.id)
            .thenComparingLong(h -> h.key);

    /** @param docs this run's pages; returns the drops. */
    public static JavaRDD<Drop> drops(JavaRDD<Page> docs, int partitions) {
        return docs.filter(p -> p.urlKey != null)
                .mapToPair(p -> new Tuple2<>(p.urlKey, new Holder(p)))
                .groupByKey(partitions)
                .flatMap(group -> {
                    List<Holder> holders = new ArrayList<>();
                    group._2().forEach(holders::add);
                    if (holders.size() < 2) {
                        return java.util.Collections.<Drop>emptyIterator();
                    }
                    holders.sort(NEWEST_FIRST);
                    String survivor = holders.get(0).id;
                    List<Drop> out = new ArrayList<>();
                    for (Holder h : holders.subList(1, holders.size())) {
                        out.add(new Drop(h.key, DuplicateReason.URL, survivor));
                    }
                    return out.iterator();
                });
    }

    /** Spark's own conversion: sub-microsecond digits are cut, so that ties are ties as the SQL ordering saw them. */
    static long micros(Timestamp t) {
        return Math.multiplyExact(t.getTime(), 1000L) + (t.getNanos() / 1000) % 1000;
    }
}
