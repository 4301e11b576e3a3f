package org.sparkbert.ingest.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/**
 * One page per normalised URL, as C4's {@code select_newest_page}: the newest timestamp wins, a page
 * without a timestamp loses to any with one, and ties go to the smallest id, then the input order.
 * Works on the keys alone; the page texts do not move.
 */
public final class UrlDedup {
    private UrlDedup() {
    }

    /** @param docs rows with {@code key, id, url_key, timestamp}; returns the drops ({@code key, reason, survivor_id}). */
    public static Dataset<Row> drops(Dataset<Row> docs) {
        WindowSpec newestFirst = Window.partitionBy("url_key")
                .orderBy(col("timestamp").desc_nulls_last(), col("id"), col("key"));
        return docs.where(col("url_key").isNotNull())
                .select("key", "id", "url_key", "timestamp")
                .withColumn("rank", row_number().over(newestFirst))
                .withColumn("survivor_id", first("id").over(newestFirst))
                .where(col("rank").gt(1))
                .select(col("key"), lit(DuplicateReason.URL).as("reason"), col("survivor_id"));
    }
}
