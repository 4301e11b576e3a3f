package org.sparkbert.ingest;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The tables the ingest stage passes between its steps. Every input record becomes one row of
 * {@link #PAGES}, keyed by {@code key} = (index of its file in the sorted input list) << 40 | (its line
 * number or byte offset): unique within a run and cheap to join on. Deduplication works on
 * {@link #DOCS}, the pages that passed the page rules; each step's decisions are rows of
 * {@link #DROPS}.
 */
public final class PageTable {
    private PageTable() {
    }

    /** Positions up to 2^40 (a terabyte of decompressed input per file) fit beside the file index. */
    public static final int POSITION_BITS = 40;

    public static final StructType RAW = new StructType()
            .add("key", DataTypes.LongType, false)
            .add("source", DataTypes.StringType, false)
            .add("position", DataTypes.LongType, false)
            .add("raw", DataTypes.StringType, true)
            .add("reason", DataTypes.StringType, true)
            .add("url", DataTypes.StringType, true)
            .add("timestamp", DataTypes.TimestampType, true)
            .add("text", DataTypes.StringType, true);

    public static final StructType PAGES = new StructType()
            .add("key", DataTypes.LongType, false)
            .add("source", DataTypes.StringType, false)
            .add("position", DataTypes.LongType, false)
            .add("raw", DataTypes.StringType, true)
            .add("reason", DataTypes.StringType, true)
            .add("id", DataTypes.StringType, true)
            .add("url", DataTypes.StringType, true)
            .add("url_key", DataTypes.StringType, true)
            .add("timestamp", DataTypes.TimestampType, true)
            .add("text", DataTypes.StringType, true)
            .add("text_hash", DataTypes.StringType, true)
            .add("lines_removed", DataTypes.createArrayType(DataTypes.IntegerType, false), true);

    public static final StructType DOCS = new StructType()
            .add("key", DataTypes.LongType, false)
            .add("id", DataTypes.StringType, false)
            .add("url", DataTypes.StringType, true)
            .add("url_key", DataTypes.StringType, true)
            .add("timestamp", DataTypes.TimestampType, true)
            .add("text", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false);

    public static final StructType DROPS = new StructType()
            .add("key", DataTypes.LongType, false)
            .add("reason", DataTypes.StringType, false)
            .add("survivor_id", DataTypes.StringType, true);

    public static String[] docColumns() {
        return DOCS.fieldNames();
    }

    /** The {@link #DOCS} columns of a table that has them (and maybe more). */
    public static Dataset<Row> asDocs(Dataset<Row> table) {
        Column[] columns = java.util.Arrays.stream(DOCS.fieldNames()).map(functions::col).toArray(Column[]::new);
        return table.select(columns);
    }
}
