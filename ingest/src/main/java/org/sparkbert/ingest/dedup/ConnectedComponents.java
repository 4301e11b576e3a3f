package org.sparkbert.ingest.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.min;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected components of an undirected graph on Spark, without GraphFrames: every node starts with
 * its own id as label and repeatedly takes the smallest label among itself and its neighbours until
 * no label changes. Each component ends labelled with its smallest node. The number of rounds is the
 * largest component diameter; near-duplicate clusters are shallow, and the lineage is cut every round.
 */
public final class ConnectedComponents {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectedComponents.class);

    private ConnectedComponents() {}

    /** @param edges rows {@code a, b} (long node ids); returns {@code node, component} for every node on an edge. */
    public static Dataset<Row> of(Dataset<Row> edges, int maxIterations) {
        Dataset<Row> both = edges.select(col("a").as("src"), col("b").as("dst"))
                .union(edges.select(col("b").as("src"), col("a").as("dst")))
                .distinct()
                .localCheckpoint();
        Dataset<Row> labels = both.select(
                        col("src").as("node"), least(col("src"), col("dst")).as("label"))
                .groupBy("node")
                .agg(min("label").as("label"))
                .localCheckpoint();
        for (int round = 1; ; round++) {
            Dataset<Row> offered = both.join(labels, col("src").equalTo(col("node")))
                    .select(col("dst").as("node"), col("label"));
            Dataset<Row> next = labels.union(offered)
                    .groupBy("node")
                    .agg(min("label").as("label"))
                    .localCheckpoint();
            long changed = next.join(labels.withColumnRenamed("label", "old"), "node")
                    .where(col("label").notEqual(col("old")))
                    .count();
            LOG.info("connected components: round {}, {} labels changed", round, changed);
            labels = next;
            if (changed == 0) {
                return labels.withColumnRenamed("label", "component");
            }
            if (round >= maxIterations) {
                throw new IllegalStateException("Connected components did not converge in " + maxIterations
                        + " rounds; raise ingest.dedup.near.max_iterations.");
            }
        }
    }
}
