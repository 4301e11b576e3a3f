package org.sparkbert.ingest;

import scala.collection.immutable.ArraySeq;

/** Wraps a primitive array, without copying, as the Scala {@code Seq} that a Row's array column must hold. */
public final class SparkArrays {
    private SparkArrays() {
    }

    public static ArraySeq<Object> of(int[] values) {
        return ArraySeq.unsafeWrapArray(values);
    }

    public static ArraySeq<Object> of(long[] values) {
        return ArraySeq.unsafeWrapArray(values);
    }
}
