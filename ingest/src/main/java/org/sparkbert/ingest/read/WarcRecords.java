package org.sparkbert.ingest.read;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Common Crawl WET files: WARC/1.0 (or 1.1) records, each a {@code WARC/x.y} line, header lines
 * {@code Name: value}, a blank line and exactly {@code Content-Length} bytes of body. A
 * {@code conversion} record is a page (URL from {@code WARC-Target-URI}, time from {@code WARC-Date},
 * the body as its UTF-8 text). A {@code response} record holds HTML, whose text extraction is not
 * this stage's job: it is rejected. {@code warcinfo}, {@code request}, {@code metadata} and the other
 * types describe the crawl, not pages, and are not records. A record's position is the byte offset of
 * its first line in the decompressed stream (a damaged gzip member counts as one byte there).
 */
final class WarcRecords implements RecordSource {
    private static final int MAX_HEADER_LINE = 64 * 1024;
    /**
     * Bytes a record's header block may hold; real ones hold a few hundred. Without a bound, a file of
     * endless header lines would be gathered into one string until the executor runs out of memory.
     */
    static final int MAX_HEADER_BLOCK = 64 * 1024;

    private final String source;
    private final ByteLineReader lines;
    private final int maxRecordBytes;
    private final Utf8 utf8 = new Utf8();
    private ByteLineReader.Line pendingFirstLine;
    private long pendingStart;

    WarcRecords(String source, ByteLineReader lines, int maxRecordBytes) {
        this.source = source;
        this.lines = lines;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public long position() {
        return lines.position();
    }

    @Override
    public InputRecord next() throws IOException {
        while (true) {
            long start;
            ByteLineReader.Line first;
            if (pendingFirstLine != null) {
                first = pendingFirstLine;
                start = pendingStart;
                pendingFirstLine = null;
            } else {
                start = lines.position();
                first = lines.readLine(MAX_HEADER_LINE);
                if (first == null) {
                    return null;
                }
                if (first.isBlank()) {
                    continue;
                }
            }
            if (!first.startsWith("WARC/")) {
                return skipToNextRecord(start, first);
            }
            InputRecord record = readRecord(start, Utf8.lossy(first.bytes, first.length));
            if (record != null) {
                return record;
            }
        }
    }

    /** Reads the headers and body of the record whose version line was just read; null for a non-page type. */
    private InputRecord readRecord(long start, String versionLine) throws IOException {
        StringBuilder head = new StringBuilder(versionLine).append('\n');
        Map<String, String> headers = new LinkedHashMap<>();
        while (true) {
            ByteLineReader.Line line = lines.readLine(MAX_HEADER_LINE);
            if (line == null) {
                return InputRecord.rejected(source, start, head.toString(), RejectReason.TRUNCATED_WARC_RECORD);
            }
            if (line.length == 0 || line.isBlank()) {
                break;
            }
            if (head.length() + line.length > MAX_HEADER_BLOCK) {
                head.setLength(ByteLineReader.PREVIEW_BYTES);
                resynchronise(head);
                return InputRecord.rejected(source, start, head.toString(), RejectReason.WARC_HEADER_TOO_LONG);
            }
            String text = Utf8.lossy(line.bytes, line.length);
            head.append(text).append('\n');
            int colon = text.indexOf(':');
            if (line.tooLong || colon <= 0) {
                return malformed(start, head);
            }
            headers.put(
                    text.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    text.substring(colon + 1).trim());
        }
        long length;
        try {
            length = Long.parseLong(headers.getOrDefault("content-length", ""));
        } catch (NumberFormatException e) {
            return malformed(start, head);
        }
        if (length < 0) {
            return malformed(start, head);
        }
        if (length > maxRecordBytes) {
            boolean complete = lines.skip(length);
            return InputRecord.rejected(
                    source,
                    start,
                    head.toString(),
                    complete ? RejectReason.RECORD_TOO_LONG : RejectReason.TRUNCATED_WARC_RECORD);
        }
        byte[] body = lines.readFully((int) length);
        if (body == null) {
            return InputRecord.rejected(source, start, head.toString(), RejectReason.TRUNCATED_WARC_RECORD);
        }
        String type = headers.getOrDefault("warc-type", "").toLowerCase(Locale.ROOT);
        switch (type) {
            case "conversion":
                return page(start, head, headers, body);
            case "response":
                return InputRecord.rejected(
                        source, start, head + "\n" + Utf8.lossy(body, body.length), RejectReason.WARC_HTML_RESPONSE);
            default:
                return null;
        }
    }

    private InputRecord page(long start, StringBuilder head, Map<String, String> headers, byte[] body) {
        String text = utf8.decodeOrNull(body, body.length);
        if (text == null) {
            return InputRecord.rejected(
                    source, start, head + "\n" + Utf8.lossy(body, body.length), RejectReason.INVALID_UTF8);
        }
        String raw = head + "\n" + text;
        if (text.isBlank()) {
            return InputRecord.rejected(source, start, raw, RejectReason.MISSING_TEXT);
        }
        String url = headers.get("warc-target-uri");
        String date = headers.get("warc-date");
        Timestamp time = null;
        if (date != null && !date.isBlank()) {
            time = Timestamps.parseOrNull(date);
            if (time == null) {
                return InputRecord.rejected(source, start, raw, RejectReason.INVALID_TIMESTAMP);
            }
        }
        return InputRecord.page(source, start, raw, url == null || url.isBlank() ? null : url, time, text);
    }

    private InputRecord malformed(long start, StringBuilder head) throws IOException {
        resynchronise(head);
        return InputRecord.rejected(source, start, head.toString(), RejectReason.MALFORMED_WARC);
    }

    /** Bytes that are not a WARC record: everything up to the next version line is one malformed record. */
    private InputRecord skipToNextRecord(long start, ByteLineReader.Line first) throws IOException {
        StringBuilder garbage = new StringBuilder(Utf8.lossy(first.bytes, first.length)).append('\n');
        resynchronise(garbage);
        return InputRecord.rejected(source, start, garbage.toString(), RejectReason.MALFORMED_WARC);
    }

    private void resynchronise(StringBuilder kept) throws IOException {
        while (true) {
            long at = lines.position();
            ByteLineReader.Line line = lines.readLine(MAX_HEADER_LINE);
            if (line == null) {
                return;
            }
            if (line.startsWith("WARC/")) {
                pendingStart = at;
                pendingFirstLine = new ByteLineReader.Line(
                        java.util.Arrays.copyOf(line.bytes, line.length), line.length, line.tooLong);
                return;
            }
            if (kept.length() < ByteLineReader.PREVIEW_BYTES) {
                kept.append(new String(line.bytes, 0, line.length, StandardCharsets.UTF_8))
                        .append('\n');
            }
        }
    }
}
