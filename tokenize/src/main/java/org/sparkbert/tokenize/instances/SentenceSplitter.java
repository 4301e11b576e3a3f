package org.sparkbert.tokenize.instances;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a document into sentences with ICU's sentence boundaries (Unicode UAX #29, which also breaks
 * after every line or paragraph separator, so C4's one-paragraph-per-line text splits at its lines),
 * with CLDR's English abbreviation suppressions ({@code ss=standard}), so "Mr. Smith" stays whole.
 * Each sentence comes with whether whitespace preceded it, which byte-level BPE needs to encode its
 * first word as it would inside the running text. Not thread-safe: one per task.
 */
public final class SentenceSplitter {
    private final BreakIterator sentences = BreakIterator.getSentenceInstance(new ULocale("en@ss=standard"));

    /** A sentence's text, trimmed, and whether whitespace came right before it in the document. */
    public record Sentence(String text, boolean afterSpace) {}

    public List<Sentence> split(String text) {
        List<Sentence> out = new ArrayList<>();
        sentences.setText(text);
        int start = sentences.first();
        for (int end = sentences.next(); end != BreakIterator.DONE; start = end, end = sentences.next()) {
            int from = start;
            while (from < end && Character.isWhitespace(text.charAt(from))) {
                from++;
            }
            int to = end;
            while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
                to--;
            }
            if (from < to) {
                boolean afterSpace = from > 0 && Character.isWhitespace(text.charAt(from - 1));
                out.add(new Sentence(text.substring(from, to), afterSpace));
            }
        }
        return out;
    }
}
