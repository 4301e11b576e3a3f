package org.sparkbert.ingest.clean;

/**
 * What the page rules made of a page: its cleaned text, or the reason it was dropped; and in both
 * cases how many lines each line rule removed (indexed by {@link LineRule}).
 */
public final class PageVerdict {
    public final String text;
    public final String reason;
    public final int[] linesRemoved;

    private PageVerdict(String text, String reason, int[] linesRemoved) {
        this.text = text;
        this.reason = reason;
        this.linesRemoved = linesRemoved;
    }

    static PageVerdict kept(String text, int[] linesRemoved) {
        return new PageVerdict(text, null, linesRemoved);
    }

    static PageVerdict dropped(String reason, int[] linesRemoved) {
        return new PageVerdict(null, reason, linesRemoved);
    }

    public boolean isKept() {
        return reason == null;
    }
}
