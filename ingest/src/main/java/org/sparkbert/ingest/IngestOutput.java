package org.sparkbert.ingest;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The two tables the stage writes: {@code clean/}, the corpus, and {@code rejects/}, every record it dropped and why. */
final class IngestOutput {
    private IngestOutput() {
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
