package org.sparkbert.ingest.read;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.DateTimeException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Parses the timestamps of C4 ({@code 2019-04-25T12:57:54Z}) and of WARC-Date headers: ISO-8601 date
 * and time, {@code T} or a space between them, an optional offset; without an offset the time is UTC.
 */
final class Timestamps {
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffsetId().optionalEnd()
            .toFormatter();

    private Timestamps() {
    }

    /** The instant, or null when the text is not such a timestamp. */
    static Timestamp parseOrNull(String text) {
        try {
            TemporalAccessor t = FORMAT.parse(text.trim());
            LocalDateTime local = LocalDateTime.from(t);
            ZoneOffset offset = t.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(t) : ZoneOffset.UTC;
            return Timestamp.from(local.toInstant(offset));
        } catch (DateTimeException e) {
            return null;
        }
    }
}
