package org.sparkbert.ingest.dedup;

/** Why a deduplication step dropped a page: keys of the report's {@code dropped} map. */
public final class DuplicateReason {
    private DuplicateReason() {}

    public static final String URL = "duplicate_url";
    public static final String EXACT = "duplicate_exact";
    public static final String EXACT_PREVIOUS = "duplicate_exact_previous";
    public static final String EMPTY_AFTER_LINE_DEDUP = "empty_after_line_dedup";
    public static final String TOO_FEW_SENTENCES_AFTER_LINE_DEDUP = "too_few_sentences_after_line_dedup";
    public static final String NEAR = "duplicate_near";
    public static final String NEAR_PREVIOUS = "duplicate_near_previous";
}
