package org.sparkbert.ingest.read;

import org.apache.spark.Dependency;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.collection.immutable.List$;
import scala.collection.immutable.Seq;
import scala.reflect.ClassTag;

/**
 * A scan's partitions with no preferred executor. A stage that mixes tasks preferring cached blocks
 * (this run's pages) with tasks preferring the hosts of file blocks (an earlier output on HDFS, whose
 * datanode names need not match the executors') waits for an offer at a lower locality level, and in
 * local mode none comes: the job hangs (seen with MiniDFSCluster). The wrapper declares no dependency,
 * so Spark does not look through it for the scan's locations; it is for scans only (RDDs without
 * shuffle ancestors), whose partitions it computes in its own tasks.
 */
public final class LocationFreeRDD<T> extends RDD<T> {
    private static final long serialVersionUID = 1L;

    private final RDD<T> scan;

    @SuppressWarnings("unchecked")
    private LocationFreeRDD(RDD<T> scan, ClassTag<T> tag) {
        super(scan.context(), (Seq<Dependency<?>>) (Seq<?>) List$.MODULE$.empty(), tag);
        this.scan = scan;
    }

    public static <T> JavaRDD<T> of(JavaRDD<T> parent) {
        return new LocationFreeRDD<>(parent.rdd(), parent.classTag()).toJavaRDD();
    }

    @Override
    public Iterator<T> compute(Partition split, TaskContext context) {
        return scan.iterator(split, context);
    }

    @Override
    public Partition[] getPartitions() {
        return scan.partitions();
    }
}
