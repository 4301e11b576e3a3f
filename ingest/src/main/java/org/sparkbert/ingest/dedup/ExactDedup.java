package org.sparkbert.ingest.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

/**
 * Exact duplicates of whole pages: equal MD5 of the cleaned text. A page whose text an earlier output
 * already holds is dropped in favour of that output's page; among this run's pages the smallest id
 * survives (then the input order). Works on the hashes alone.
 */
public final class ExactDedup {
    private ExactDedup() {
    }

    /**
     * @param docs     rows with {@code key, id, text_hash}
     * @param previous rows with {@code id, text} of the earlier outputs' pages, or null
     */
    public static Dataset<Row> drops(Dataset<Row> docs, Dataset<Row> previous) {
        Dataset<Row> current = docs.select("key", "id", "text_hash");
        Dataset<Row> againstPrevious = null;
        if (previous != null) {
            Dataset<Row> known = previous
                    .select(org.apache.spark.sql.functions.md5(col("text").cast("binary")).as("text_hash"), col("id"))
                    .groupBy("text_hash").agg(min("id").as("survivor_id"));
            againstPrevious = current.join(known, "text_hash")
                    .select(col("key"), lit(DuplicateReason.EXACT_PREVIOUS).as("reason"), col("survivor_id"));
            current = current.join(known.select(col("text_hash").as("known_hash")),
                    col("text_hash").equalTo(col("known_hash")), "left_anti");
        }
        WindowSpec smallestFirst = Window.partitionBy("text_hash").orderBy(col("id"), col("key"));
        Dataset<Row> within = current
                .withColumn("rank", row_number().over(smallestFirst))
                .withColumn("survivor_id", first("id").over(smallestFirst))
                .where(col("rank").gt(1))
                .select(col("key"), lit(DuplicateReason.EXACT).as("reason"), col("survivor_id"));
        return againstPrevious == null ? within : within.unionByName(againstPrevious);
    }
}
