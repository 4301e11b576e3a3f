package org.sparkbert.ingest.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Timestamp;

/**
 * C4's JSON-lines format: one object per line with a string {@code text} and optional string
 * {@code url} and {@code timestamp}; other fields are ignored. The position of a record is its
 * 1-based line number; blank lines are not records, and a damaged gzip member counts as one line.
 */
final class JsonLines implements RecordSource {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String source;
    private final ByteLineReader lines;
    private final int maxRecordBytes;
    private final Utf8 utf8 = new Utf8();

    JsonLines(String source, ByteLineReader lines, int maxRecordBytes) {
        this.source = source;
        this.lines = lines;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public InputRecord next() throws IOException {
        while (true) {
            ByteLineReader.Line line = lines.readLine(maxRecordBytes);
            if (line == null) {
                return null;
            }
            long lineNumber = lines.linesRead();
            if (line.tooLong) {
                return InputRecord.rejected(
                        source, lineNumber, Utf8.lossy(line.bytes, line.length), RejectReason.RECORD_TOO_LONG);
            }
            if (line.isBlank()) {
                continue;
            }
            return parse(line, lineNumber);
        }
    }

    @Override
    public long position() {
        return lines.linesRead() + 1;
    }

    private InputRecord parse(ByteLineReader.Line line, long lineNumber) {
        String raw = utf8.decodeOrNull(line.bytes, line.length);
        if (raw == null) {
            return InputRecord.rejected(
                    source, lineNumber, Utf8.lossy(line.bytes, line.length), RejectReason.INVALID_UTF8);
        }
        String json = lineNumber == 1 && raw.startsWith("\uFEFF") ? raw.substring(1) : raw;
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return InputRecord.rejected(source, lineNumber, raw, RejectReason.MALFORMED_JSON);
        }
        if (node == null || !node.isObject()) {
            return InputRecord.rejected(source, lineNumber, raw, RejectReason.MALFORMED_JSON);
        }
        JsonNode text = node.get("text");
        if (text == null || text.isNull() || (text.isTextual() && text.asText().isBlank())) {
            return InputRecord.rejected(source, lineNumber, raw, RejectReason.MISSING_TEXT);
        }
        JsonNode url = node.get("url");
        JsonNode timestamp = node.get("timestamp");
        if (!text.isTextual() || !isStringOrAbsent(url) || !isStringOrAbsent(timestamp)) {
            return InputRecord.rejected(source, lineNumber, raw, RejectReason.INVALID_FIELD);
        }
        Timestamp time = null;
        if (isPresent(timestamp)) {
            time = Timestamps.parseOrNull(timestamp.asText());
            if (time == null) {
                return InputRecord.rejected(source, lineNumber, raw, RejectReason.INVALID_TIMESTAMP);
            }
        }
        String pageUrl = isPresent(url) ? url.asText().strip() : null;
        return InputRecord.page(source, lineNumber, raw, pageUrl, time, text.asText());
    }

    private static boolean isStringOrAbsent(JsonNode n) {
        return n == null || n.isNull() || n.isTextual();
    }

    private static boolean isPresent(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isBlank();
    }
}
