package org.sparkbert.train.distributed;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.train.distributed.ReplicaFactory.Indexed;

/**
 * Each replica's records, written once to the SparkContext's checkpoint directory (reliable storage:
 * HDFS on a cluster) before training starts, so that the training stage reads them from there and
 * not from shuffle files. A shuffle's output lives on the executor that wrote it: when that executor
 * dies (killed by the task reaper, lost with its machine), a retried barrier stage fails to fetch it
 * on one rank while Spark leaves the others waiting in their first barrier until
 * spark.barrier.sync.timeout, and only a second retry trains. From reliable storage the first retry
 * finds every record. The copy costs one write of the records per run, and is deleted at the end.
 */
final class DurableRecords {
    private static final Logger log = LoggerFactory.getLogger(DurableRecords.class);

    private DurableRecords() {}

    /**
     * The records, read back from reliable storage with the same partitioning, or {@code byReplica}
     * itself (with a warning) when the context has no checkpoint directory.
     */
    static <T> JavaPairRDD<Integer, Indexed<T>> write(
            JavaSparkContext jsc, JavaPairRDD<Integer, Indexed<T>> byReplica) {
        if (!jsc.getCheckpointDir().isPresent()) {
            log.warn("the SparkContext has no checkpoint directory, so the replicas read their records from shuffle"
                    + " files: a lost executor can then cost the retried stage an extra spark.barrier.sync.timeout;"
                    + " call SparkContext.setCheckpointDir on reliable storage (the train stage does)");
            return byReplica;
        }
        byReplica.checkpoint();
        long records = byReplica.count(); // the job that computes them, then Spark's job that writes them
        log.info(
                "distributed: {} records written for {} replicas under {}",
                records,
                byReplica.getNumPartitions(),
                byReplica.getCheckpointFile().orElse("?"));
        return byReplica;
    }

    /** Deletes what {@link #write} wrote, if anything; a failure only warns, the training is done. */
    static void delete(JavaSparkContext jsc, JavaPairRDD<?, ?> written) {
        if (!written.getCheckpointFile().isPresent()) {
            return;
        }
        Path files = new Path(written.getCheckpointFile().get());
        try {
            FileSystem fs = files.getFileSystem(jsc.hadoopConfiguration());
            fs.delete(files, true);
        } catch (IOException e) {
            log.warn("could not delete the replicas' record copy {}: {}", files, e.toString());
        }
    }
}
