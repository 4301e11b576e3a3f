package org.sparkbert.ingest.read;

/** Why an input record cannot become a page: the keys of the report's {@code dropped} map for bad input. */
public final class RejectReason {
    private RejectReason() {}

    public static final String MALFORMED_JSON = "malformed_json";
    public static final String INVALID_UTF8 = "invalid_utf8";
    public static final String MISSING_TEXT = "missing_text";
    public static final String INVALID_FIELD = "invalid_field";
    public static final String INVALID_TIMESTAMP = "invalid_timestamp";
    public static final String RECORD_TOO_LONG = "record_too_long";
    public static final String EMPTY_FILE = "empty_file";
    public static final String UNKNOWN_FORMAT = "unknown_format";
    public static final String NOT_GZIP = "not_gzip";
    public static final String TRUNCATED_GZIP = "truncated_gzip";
    public static final String CORRUPT_GZIP = "corrupt_gzip";
    public static final String GZIP_BAD_HEADER = "gzip_bad_header";
    public static final String GZIP_CRC_MISMATCH = "gzip_crc_mismatch";
    public static final String GZIP_LENGTH_MISMATCH = "gzip_length_mismatch";
    public static final String GZIP_TRAILING_GARBAGE = "gzip_trailing_garbage";
    public static final String MALFORMED_WARC = "malformed_warc";
    public static final String WARC_HEADER_TOO_LONG = "warc_header_too_long";
    public static final String TRUNCATED_WARC_RECORD = "truncated_warc_record";
    public static final String WARC_HTML_RESPONSE = "warc_html_response";
}
