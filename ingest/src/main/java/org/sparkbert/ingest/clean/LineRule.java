package org.sparkbert.ingest.clean;

/** The C4 rules that remove single lines from a page (the page itself may stay); counted per rule. */
public enum LineRule {
    TOO_LONG_WORD("lines_removed_too_long_word"),
    NO_TERMINAL_PUNCTUATION("lines_removed_no_terminal_punctuation"),
    TOO_FEW_WORDS("lines_removed_too_few_words"),
    JAVASCRIPT("lines_removed_javascript"),
    POLICY("lines_removed_policy");

    /** The report counter of lines this rule removed from pages. */
    public final String counter;

    LineRule(String counter) {
        this.counter = counter;
    }
}
