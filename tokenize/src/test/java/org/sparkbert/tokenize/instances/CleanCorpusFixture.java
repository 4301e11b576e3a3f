package org.sparkbert.tokenize.instances;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Writes C4 documents as the ingest stage's clean/ Parquet (id, url, timestamp, text, source). */
final class CleanCorpusFixture {
    static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("url", DataTypes.StringType, true),
            DataTypes.createStructField("timestamp", DataTypes.StringType, true),
            DataTypes.createStructField("text", DataTypes.StringType, true),
            DataTypes.createStructField("source", DataTypes.StringType, true)));

    private CleanCorpusFixture() {}

    /** Writes the documents into {@code dir/clean} as {@code files} Parquet files; {@code reversed} stores them in the opposite order. */
    static void write(SparkSession spark, List<SharedCorpus.Doc> docs, String dir, int files, boolean reversed) {
        List<Row> rows = new ArrayList<>();
        for (SharedCorpus.Doc d : docs) {
            rows.add(
                    RowFactory.create(d.id(), "https://example.org/" + d.id(), "2019-04-25T12:57:54Z", d.text(), "c4"));
        }
        if (reversed) {
            Collections.reverse(rows);
        }
        Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
        df.repartition(files).write().parquet(dir + "/clean");
    }
}
