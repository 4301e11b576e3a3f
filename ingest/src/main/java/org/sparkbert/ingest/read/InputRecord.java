package org.sparkbert.ingest.read;

import java.io.Serializable;
import java.sql.Timestamp;

/**
 * One record of an input file as a reader saw it: where it came from (file and line number, or
 * byte offset of a WARC record in the decompressed stream), the raw record, and either the page
 * fields or the reason it cannot be a page.
 */
public final class InputRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String source;
    public final long position;
    public final String raw;
    public final String url;
    public final Timestamp timestamp;
    public final String text;
    public final String reason;

    private InputRecord(
            String source, long position, String raw, String url, Timestamp timestamp, String text, String reason) {
        this.source = source;
        this.position = position;
        this.raw = raw;
        this.url = url;
        this.timestamp = timestamp;
        this.text = text;
        this.reason = reason;
    }

    public static InputRecord page(
            String source, long position, String raw, String url, Timestamp timestamp, String text) {
        return new InputRecord(source, position, raw, url, timestamp, text, null);
    }

    public static InputRecord rejected(String source, long position, String raw, String reason) {
        return new InputRecord(source, position, raw, null, null, null, reason);
    }

    public boolean isPage() {
        return reason == null;
    }

    @Override
    public String toString() {
        return source + ":" + position + (isPage() ? " page " + url : " rejected " + reason);
    }
}
