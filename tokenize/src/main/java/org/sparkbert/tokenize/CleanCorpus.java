package org.sparkbert.tokenize;

import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;
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

/**
 * The clean corpus every stage after ingest reads: the ingest stage's Parquet (string columns such
 * as {@code id} and {@code text}, other columns ignored), given as the ingest output directory or
 * its {@code clean/} folder. The held-out {@code validation/} pages beside it are never part of it.
 */
public final class CleanCorpus {
    public static final String CLEAN_FOLDER = "clean";
    /** The ingest stage's held-out pages, beside clean/: no stage that trains may read them. */
    public static final String VALIDATION_FOLDER = "validation";

    private CleanCorpus() {}

    /** The Parquet folder to read: {@code <input>/clean} when it exists, else the input itself. */
    public static String resolve(String input, Configuration conf) {
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) {
                throw new UsageException("--input " + input
                        + " does not exist. Give the ingest stage's output directory" + " or its clean/ folder.");
            }
            Path clean = new Path(path, CLEAN_FOLDER);
            return fs.isDirectory(clean) ? clean.toString() : input;
        } catch (IOException e) {
            throw new UsageException("Cannot reach --input " + input + ": " + e.getMessage());
        }
    }

    /**
     * The held-out pages of an ingest output: {@code <input>/validation}, or the {@code validation}
     * sibling when the input is the {@code clean/} folder itself; null when there is none.
     */
    public static String validation(String input, Configuration conf) {
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(conf);
            Path inside = new Path(path, VALIDATION_FOLDER);
            if (fs.isDirectory(inside)) {
                return inside.toString();
            }
            Path sibling = path.getParent() == null ? null : new Path(path.getParent(), VALIDATION_FOLDER);
            return CLEAN_FOLDER.equals(path.getName()) && sibling != null && fs.isDirectory(sibling)
                    ? sibling.toString()
                    : null;
        } catch (IOException e) {
            throw new UsageException("Cannot reach --input " + input + ": " + e.getMessage());
        }
    }

    /** The given string columns, or a usage error naming what the folder holds instead. */
    public static Dataset<Row> read(SparkSession spark, String folder, String... columns) {
        Dataset<Row> all;
        try {
            all = spark.read().parquet(folder);
        } catch (Exception e) {
            throw new UsageException("Cannot read " + folder + " as Parquet: " + e.getMessage()
                    + " Give the clean/ Parquet that the ingest stage writes.");
        }
        StructType schema = all.schema();
        for (String column : columns) {
            requireString(schema, column, folder, columns);
        }
        return all.selectExpr(columns);
    }

    private static void requireString(StructType schema, String column, String folder, String[] columns) {
        String found = Arrays.stream(schema.fields())
                .map(f -> f.name() + " " + f.dataType().simpleString())
                .collect(Collectors.joining(", "));
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new UsageException("The clean corpus " + folder + " has no '" + column + "' column (it has: " + found
                    + "). This stage needs the ingest stage's Parquet with string columns " + String.join(", ", columns)
                    + ".");
        }
        DataType type = schema.apply(column).dataType();
        if (!type.equals(DataTypes.StringType)) {
            throw new UsageException(
                    "Column '" + column + "' of " + folder + " is " + type.simpleString() + ", not string.");
        }
    }
}
