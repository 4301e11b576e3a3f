package org.sparkbert.tokenize.vocab;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.sparkbert.job.UsageException;

import java.io.IOException;
import java.util.Arrays;

/**
 * The clean corpus a vocabulary is trained on: the ingest stage's Parquet ({@code text} column;
 * other columns ignored), given as the ingest output directory or its {@code clean/} folder.
 */
final class TrainingCorpus {
    static final String CLEAN_FOLDER = "clean";

    private TrainingCorpus() {}

    /** The Parquet folder: {@code <input>/clean} when it exists, else the input itself. */
    static String resolve(String input, Configuration conf) {
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) {
                throw new UsageException("--input " + input + " does not exist. Give the ingest stage's output directory"
                        + " or its clean/ folder.");
            }
            Path clean = new Path(path, CLEAN_FOLDER);
            return fs.isDirectory(clean) ? clean.toString() : input;
        } catch (IOException e) {
            throw new UsageException("Cannot reach --input " + input + ": " + e.getMessage());
        }
    }

    /** The non-null texts of the corpus. */
    static JavaRDD<String> texts(SparkSession spark, String folder) {
        Dataset<Row> all;
        try {
            all = spark.read().parquet(folder);
        } catch (Exception e) {
            throw new UsageException("Cannot read " + folder + " as Parquet: " + e.getMessage()
                    + " The vocab stage reads the clean/ Parquet that the ingest stage writes.");
        }
        StructField text = Arrays.stream(all.schema().fields()).filter(f -> f.name().equals("text")).findFirst()
                .orElseThrow(() -> new UsageException("The corpus " + folder + " has no 'text' column (it has: "
                        + String.join(", ", all.schema().fieldNames()) + ")."));
        if (!text.dataType().equals(DataTypes.StringType)) {
            throw new UsageException("Column 'text' of " + folder + " is " + text.dataType().simpleString() + ", not string.");
        }
        return all.select("text").javaRDD().map(row -> row.isNullAt(0) ? "" : row.getString(0)).filter(t -> !t.isEmpty());
    }
}
