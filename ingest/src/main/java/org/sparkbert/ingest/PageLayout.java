package org.sparkbert.ingest;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.sparkbert.ingest.dedup.Drop;
import scala.Tuple2;

/**
 * Which partition of the cached pages holds each page key. Per-page values (a step's drops, the lines
 * a page lost) are shuffled to their pages' partitions and zipped with them there, so after the read
 * no page text crosses a shuffle and no per-page decision is collected on the driver. Every RDD of
 * pages the stage derives by filtering or mapping the cached pages keeps this layout.
 */
public final class PageLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Partitioner partitioner;

    public PageLayout(Partitioner partitioner) {
        this.partitioner = partitioner;
    }

    public Partitioner partitioner() {
        return partitioner;
    }

    /** Each page with the value of its key, or null; at most one value per key. */
    public <V> JavaRDD<Tuple2<Page, V>> withValues(JavaRDD<Page> pages, JavaPairRDD<Long, V> values) {
        return pages.zipPartitions(values.partitionBy(partitioner), (local, localValues) -> {
            Map<Long, V> byKey = new HashMap<>();
            localValues.forEachRemaining(kv -> byKey.put(kv._1(), kv._2()));
            return new Iterator<Tuple2<Page, V>>() {
                @Override
                public boolean hasNext() {
                    return local.hasNext();
                }

                @Override
                public Tuple2<Page, V> next() {
                    Page p = local.next();
                    return new Tuple2<>(p, byKey.get(p.key));
                }
            };
        });
    }

    /** The pages no drop names. */
    public JavaRDD<Page> without(JavaRDD<Page> pages, JavaRDD<Drop> drops) {
        return withValues(pages, keyed(drops)).filter(pd -> pd._2() == null).map(Tuple2::_1);
    }

    /** The pages the drops name, each with its drop. */
    public JavaRDD<Tuple2<Page, Drop>> dropped(JavaRDD<Page> pages, JavaRDD<Drop> drops) {
        return withValues(pages, keyed(drops)).filter(pd -> pd._2() != null);
    }

    private static JavaPairRDD<Long, Drop> keyed(JavaRDD<Drop> drops) {
        return drops.mapToPair(d -> new Tuple2<>(d.key(), d));
    }
}
