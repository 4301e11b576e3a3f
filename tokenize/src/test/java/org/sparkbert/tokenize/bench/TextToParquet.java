package org.sparkbert.tokenize.bench;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a text file, one document per line, as the ingest stage's clean/ Parquet ({@code text}),
 * so that the vocab stage trains on exactly the lines the other trainers read.
 *
 * <p>Usage: TextToParquet CORPUS.txt INGEST_DIR PARTITIONS
 */
public final class TextToParquet {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("TextToParquet")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.read().text(args[0]).withColumnRenamed("value", "text").filter("length(text) > 0")
                .repartition(Integer.parseInt(args[2])).write().mode(SaveMode.Overwrite).parquet(args[1] + "/clean");
        spark.stop();
    }

    private TextToParquet() {}
}
