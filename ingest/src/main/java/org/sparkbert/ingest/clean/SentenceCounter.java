package org.sparkbert.ingest.clean;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;

/**
 * Counts sentences with ICU's English sentence {@link BreakIterator}, in place of C4's NLTK punkt: a
 * segment counts when it holds something other than spaces. Not thread-safe: one per task.
 */
public final class SentenceCounter {
    private final BreakIterator sentences = BreakIterator.getSentenceInstance(ULocale.ENGLISH);

    public int count(String text) {
        sentences.setText(text);
        int count = 0;
        int start = sentences.first();
        for (int end = sentences.next(); end != BreakIterator.DONE; start = end, end = sentences.next()) {
            if (hasContent(text, start, end)) {
                count++;
            }
        }
        return count;
    }

    private static boolean hasContent(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!PythonText.isSpace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
