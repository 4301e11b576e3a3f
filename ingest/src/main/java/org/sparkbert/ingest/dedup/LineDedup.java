package org.sparkbert.ingest.dedup;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.ingest.PageTable;
import org.sparkbert.ingest.clean.PythonText;
import org.sparkbert.ingest.clean.SentenceCounter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;

import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

/**
 * C4's line deduplication across the corpus ({@code remove_duplicate_text}): every line, keyed by the
 * MD5 of its stripped lower-cased text, belongs to the one page whose MD5(normalised URL) is smallest
 * (the id stands in for a page without URL; the input order breaks ties). Every other page loses that
 * line, a page loses its own repeated lines too, and a page left empty or with fewer sentences than the
 * minimum is dropped. Only line hashes move through the shuffle; the texts stay put, and the pages are
 * joined with the lines they lost without a shuffle when those are few (a broadcast).
 */
public final class LineDedup {
    private static final StructType LINES = new StructType()
            .add("line_hash", DataTypes.BinaryType, false)
            .add("owner", DataTypes.BinaryType, false)
            .add("key", DataTypes.LongType, false);

    /** {@link PageTable#DOCS} plus the drop reason (null when kept) and the lines this step removed. */
    public static final StructType RESULT = PageTable.DOCS
            .add("reason", DataTypes.StringType, true)
            .add("lines_removed", DataTypes.IntegerType, false);

    /** Up to this many lost lines (16-byte hashes) are broadcast to the pages instead of shuffling the pages. */
    static final long MAX_BROADCAST_LINES = 2_000_000;

    private LineDedup() {
    }

    /** @param docs rows of {@link PageTable#DOCS}; returns rows of {@link #RESULT}. */
    public static Dataset<Row> apply(Dataset<Row> docs, int minSentences) {
        Dataset<Row> lines = docs.select("key", "id", "url_key", "text")
                .flatMap((FlatMapFunction<Row, Row>) LineDedup::lineRows, Encoders.row(LINES));
        // One shuffle of the line hashes: each line's holders meet in one partition and learn its owner.
        Dataset<Row> lost = lines
                .withColumn("o", min(struct("owner", "key")).over(Window.partitionBy("line_hash")))
                .where(col("key").notEqual(col("o.key")))
                .groupBy(col("key").as("lost_key")).agg(collect_list("line_hash").as("lost"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // The pages stay where they are when the lost lines are few enough to send to every task.
        Row size = lost.agg(count(lit(1)), sum(size(col("lost")))).first();
        long lostLines = size.isNullAt(1) ? 0 : size.getLong(1);
        if (lostLines <= MAX_BROADCAST_LINES) {
            lost = broadcast(lost);
        }
        List<Column> columns = new ArrayList<>();
        for (String name : PageTable.docColumns()) {
            columns.add(col(name));
        }
        columns.add(col("lost"));
        Dataset<Row> joined = docs.join(lost, col("key").equalTo(col("lost_key")), "left_outer")
                .select(columns.toArray(new Column[0]));
        return joined.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
            SentenceCounter sentences = new SentenceCounter();
            Iterator<Row> out = StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
                    .map(r -> rewrite(r, sentences, minSentences)).iterator();
            return out;
        }, Encoders.row(RESULT));
    }

    static byte[] lineHash(String line) {
        return Hashes.md5(PythonText.strip(line).toLowerCase(Locale.ROOT));
    }

    private static Iterator<Row> lineRows(Row doc) {
        long key = doc.getLong(0);
        String urlKey = doc.getString(2);
        byte[] owner = Hashes.md5(urlKey != null ? urlKey : doc.getString(1));
        Set<ByteBuffer> seen = new HashSet<>();
        List<Row> out = new ArrayList<>();
        for (String line : doc.getString(3).split("\n", -1)) {
            byte[] h = lineHash(line);
            if (seen.add(ByteBuffer.wrap(h))) {
                out.add(RowFactory.create(h, owner, key));
            }
        }
        return out.iterator();
    }

    private static Row rewrite(Row r, SentenceCounter sentences, int minSentences) {
        int n = PageTable.DOCS.size();
        Set<ByteBuffer> lost = new HashSet<>();
        if (!r.isNullAt(n)) {
            for (Object h : r.getList(n)) {
                lost.add(ByteBuffer.wrap((byte[]) h));
            }
        }
        String text = r.getString(5);
        // Equal MD5s are equal normalised lines: repeats are found on the strings, and lines are hashed
        // only when the page has lost some to other pages.
        Set<String> seen = new HashSet<>();
        List<String> kept = new ArrayList<>();
        int removed = 0;
        for (String line : text.split("\n", -1)) {
            String normalised = PythonText.strip(line).toLowerCase(Locale.ROOT);
            if (!seen.add(normalised) || (!lost.isEmpty() && lost.contains(ByteBuffer.wrap(Hashes.md5(normalised))))) {
                removed++;
            } else {
                kept.add(line);
            }
        }
        String newText = removed == 0 ? text : String.join("\n", kept);
        String reason = null;
        if (newText.isEmpty()) {
            reason = DuplicateReason.EMPTY_AFTER_LINE_DEDUP;
        } else if (removed > 0 && minSentences > 0 && sentences.count(newText) < minSentences) {
            // Unchanged pages are not recounted: ICU breaks sentences at line ends, so the per-line count
            // that admitted the page equals the count over its whole text.
            reason = DuplicateReason.TOO_FEW_SENTENCES_AFTER_LINE_DEDUP;
        }
        Object[] values = new Object[RESULT.size()];
        for (int i = 0; i < n; i++) {
            values[i] = r.get(i);
        }
        values[5] = reason == null ? newText : text;
        values[n] = reason;
        values[n + 1] = removed;
        return RowFactory.create(values);
    }
}
