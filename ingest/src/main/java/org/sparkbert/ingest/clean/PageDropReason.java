package org.sparkbert.ingest.clean;

/** Why the page rules dropped a whole page: keys of the report's {@code dropped} map. */
public final class PageDropReason {
    private PageDropReason() {}

    public static final String PAGE_TOO_LONG = "page_too_long";
    public static final String LOREM_IPSUM = "lorem_ipsum";
    public static final String CURLY_BRACKET = "curly_bracket";
    public static final String TOO_FEW_SENTENCES = "too_few_sentences";
    public static final String EMPTY_AFTER_CLEANING = "empty_after_cleaning";
    public static final String BADWORD = "badword";
    public static final String LANGUAGE_UNDETECTED = "language_undetected";
    public static final String LANGUAGE_LOW_CONFIDENCE = "language_low_confidence";
    public static final String WRONG_LANGUAGE = "wrong_language";
}
