package org.sparkbert.tokenize.instances;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.job.UsageException;

import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The clean corpus that instances are cut from: the ingest stage's Parquet ({@code id} and
 * {@code text} strings, other columns ignored), given as the ingest output directory or its
 * {@code clean/} folder.
 */
final class CleanCorpus {
    static final String CLEAN_FOLDER = "clean";

    private CleanCorpus() {
    }

    /** The Parquet folder to read: {@code <input>/clean} when it exists, else the input itself. */
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

    /** The id and text columns, or a usage error naming what the folder holds instead. */
    static Dataset<Row> read(SparkSession spark, String folder) {
        Dataset<Row> all;
        try {
            all = spark.read().parquet(folder);
        } catch (Exception e) {
            throw new UsageException("Cannot read " + folder + " as Parquet: " + e.getMessage()
                    + " The instances stage reads the clean/ Parquet that the ingest stage writes.");
        }
        StructType schema = all.schema();
        requireString(schema, "id", folder);
        requireString(schema, "text", folder);
        return all.select("id", "text");
    }

    private static void requireString(StructType schema, String column, String folder) {
        String found = Arrays.stream(schema.fields()).map(f -> f.name() + " " + f.dataType().simpleString())
                .collect(Collectors.joining(", "));
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new UsageException("The clean corpus " + folder + " has no '" + column + "' column (it has: " + found
                    + "). The instances stage needs the ingest stage's Parquet with 'id' and 'text' string columns.");
        }
        DataType type = schema.apply(column).dataType();
        if (!type.equals(DataTypes.StringType)) {
            throw new UsageException("Column '" + column + "' of " + folder + " is " + type.simpleString()
                    + ", not string.");
        }
    }
}
