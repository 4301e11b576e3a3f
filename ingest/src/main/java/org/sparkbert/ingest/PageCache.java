package org.sparkbert.ingest;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * Pages kept in memory (spilled to disk when they do not fit) as one list per partition. Cached one
 * by one, Spark would size every page as it stores it, walking each page's strings; a list it sizes
 * from a sample of its elements. The partitions, and so the {@link PageLayout}, stay as they were.
 */
final class PageCache {
    private final JavaRDD<List<Page>> lists;

    PageCache(JavaRDD<Page> pages, StorageLevel level) {
        lists = pages.glom().persist(level);
    }

    JavaRDD<Page> pages() {
        return lists.flatMap(List::iterator);
    }

    void release() {
        lists.unpersist();
    }
}
