package org.sparkbert.ingest;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The tables the stage writes: {@code clean/}, the training corpus, {@code validation/}, the held-out
 * pages in the same schema, and {@code rejects/}, every record it dropped and why.
 */
final class IngestOutput {
    static final String CLEAN_FOLDER = "clean";
    static final String VALIDATION_FOLDER = "validation";

    private IngestOutput() {}

    /** The page tables of an earlier output: clean/, and validation/ where it has one (older outputs do not). */
    static List<String> corpusFolders(String dir, Configuration conf) throws IOException {
        Path root = new Path(dir);
        Path validation = new Path(root, VALIDATION_FOLDER);
        FileSystem fs = root.getFileSystem(conf);
        return fs.isDirectory(validation)
                ? List.of(new Path(root, CLEAN_FOLDER).toString(), validation.toString())
                : List.of(new Path(root, CLEAN_FOLDER).toString());
    }

    static final StructType CLEAN = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("url", DataTypes.StringType, true)
            .add("timestamp", DataTypes.TimestampType, true)
            .add("text", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false);

    static final StructType REJECTS = new StructType()
            .add("source", DataTypes.StringType, false)
            .add("position", DataTypes.LongType, false)
            .add("reason", DataTypes.StringType, true)
            .add("survivor_id", DataTypes.StringType, true)
            .add("id", DataTypes.StringType, true)
            .add("url", DataTypes.StringType, true)
            .add("timestamp", DataTypes.TimestampType, true)
            .add("raw", DataTypes.StringType, true);

    static Row cleanRow(Page p) {
        return RowFactory.create(p.id, p.url, p.timestamp, p.text, p.source);
    }

    static Row rejectRow(Page p, String reason, String survivorId) {
        return RowFactory.create(p.source, p.position, reason, survivorId, p.id, p.url, p.timestamp, p.raw);
    }
}
