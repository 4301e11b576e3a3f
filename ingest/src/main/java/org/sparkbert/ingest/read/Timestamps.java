package org.sparkbert.ingest.read;

import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
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
            .optionalStart()
            .appendLiteral('T')
            .optionalEnd()
            .optionalStart()
            .appendLiteral(' ')
            .optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart()
            .appendOffsetId()
            .optionalEnd()
            .toFormatter();

    private Timestamps() {}

    /** The instant, or null when the text is not such a timestamp. */
    static Timestamp parseOrNull(String text) {
        Timestamp c4 = c4FormOrNull(text);
        if (c4 != null) {
            return c4;
        }
        try {
            TemporalAccessor t = FORMAT.parse(text.trim());
            LocalDateTime local = LocalDateTime.from(t);
            ZoneOffset offset = t.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(t) : ZoneOffset.UTC;
            return Timestamp.from(local.toInstant(offset));
        } catch (DateTimeException e) {
            return null;
        }
    }

    /**
     * C4's own form, {@code yyyy-MM-ddTHH:mm:ssZ}, read digit by digit: the formatter's general parse
     * costs more to compile than all of a corpus's timestamps cost to read. Only fields that the
     * formatter takes as they are (days that exist in their month, hours below 24, no leap second) are
     * read here; anything else is left to the formatter, so the result is always the formatter's.
     */
    private static Timestamp c4FormOrNull(String t) {
        if (t.length() != 20
                || t.charAt(4) != '-'
                || t.charAt(7) != '-'
                || t.charAt(10) != 'T'
                || t.charAt(13) != ':'
                || t.charAt(16) != ':'
                || t.charAt(19) != 'Z') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > java.time.YearMonth.of(year, month).lengthOfMonth()
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return null;
        }
        return Timestamp.from(
                LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC));
    }

    /** The number written by {@code length} ASCII digits at {@code from}, or -1. */
    private static int digits(String t, int from, int length) {
        int v = 0;
        for (int i = from; i < from + length; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
