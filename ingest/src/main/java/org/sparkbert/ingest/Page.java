package org.sparkbert.ingest;

import java.io.Serializable;
import java.sql.Timestamp;

/**
 * One input record on its way through the stage: where it came from, its raw form (for rejects/),
 * and either the page the rules kept or why it is out. The steps pass these as plain objects in a
 * cached RDD: no Spark SQL query plans, generates and compiles code for them, and the cache holds
 * references instead of encoding every text into columns.
 *
 * <p>{@code key} = (index of its file in the sorted input list) << {@link #POSITION_BITS} | (its line
 * number or byte offset): unique within a run, it is what the deduplication steps decide on.
 */
public final class Page implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Positions up to 2^40 (a terabyte of decompressed input per file) fit beside the file index. */
    public static final int POSITION_BITS = 40;

    public final long key;
    public final String source;
    public final long position;
    public final String raw;
    /** Why the record is not in the corpus (bad input, a page rule, line deduplication); null while it is. */
    public final String reason;

    public final String id;
    public final String url;
    public final String urlKey;
    public final Timestamp timestamp;
    /** The cleaned text; null for a record that never was a page or that a rule dropped. */
    public final String text;
    /** MD5 of the cleaned text in hex, as C4's exact deduplication keys on it. */
    public final String textHash;
    /** Lines each page rule removed, indexed by {@link org.sparkbert.ingest.clean.LineRule}. */
    public final int[] linesRemoved;
    /** Lines line deduplication removed. */
    public final int linesDeduplicated;

    public Page(
            long key,
            String source,
            long position,
            String raw,
            String reason,
            String id,
            String url,
            String urlKey,
            Timestamp timestamp,
            String text,
            String textHash,
            int[] linesRemoved,
            int linesDeduplicated) {
        this.key = key;
        this.source = source;
        this.position = position;
        this.raw = raw;
        this.reason = reason;
        this.id = id;
        this.url = url;
        this.urlKey = urlKey;
        this.timestamp = timestamp;
        this.text = text;
        this.textHash = textHash;
        this.linesRemoved = linesRemoved;
        this.linesDeduplicated = linesDeduplicated;
    }

    public static long key(int fileIndex, long position) {
        return ((long) fileIndex << POSITION_BITS) | position;
    }

    public static int fileIndex(long key) {
        return (int) (key >>> POSITION_BITS);
    }

    /** Still in the corpus. */
    public boolean isKept() {
        return reason == null;
    }

    /** After line deduplication: the new text, or the old one with the reason the page is dropped. */
    public Page afterLineDedup(String newText, String dropReason, int removed) {
        return new Page(
                key,
                source,
                position,
                raw,
                dropReason,
                id,
                url,
                urlKey,
                timestamp,
                dropReason == null ? newText : text,
                textHash,
                linesRemoved,
                removed);
    }
}
