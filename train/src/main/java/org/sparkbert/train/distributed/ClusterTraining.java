package org.sparkbert.train.distributed;

import java.io.IOException;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.train.job.Instance;

/**
 * The train stage's distributed path: the instances (sorted by id, as the stage reads them) go to
 * the cluster and {@link DistributedTrainer} trains them; the final weights are in the last checkpoint.
 */
public final class ClusterTraining {
    private ClusterTraining() {
    }

    public static TrainingResult train(SparkSession spark, List<Instance> sortedById, BertReplicaFactory factory,
                                       BertCheckpoints checkpoints, DistributedOptions options) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.max(options.replicas(), Math.min(jsc.defaultParallelism(), 4 * options.replicas()));
        JavaRDD<Instance> rdd = jsc.parallelize(sortedById, slices);
        return DistributedTrainer.train(spark.sparkContext(), rdd, factory, checkpoints, options);
    }
}
