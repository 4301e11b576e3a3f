package org.sparkbert.ingest.clean;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * C4's {@code clean_page} (TFDS c4_utils.py), rule for rule and in its order: each line is stripped;
 * a line with a too-long word goes; citations are cut; a line must end in a terminal mark and not in
 * an ellipsis, and hold enough words; a kept line with "lorem ipsum" drops the page, one with
 * "javascript" goes, one with a curly bracket drops the page, one with a policy phrase goes; finally
 * the sentences of the kept lines are counted and too few drop the page. Not thread-safe (it holds a
 * sentence iterator): one per task.
 */
public final class C4PageCleaner {
    private static final Pattern CITATION = Pattern.compile("\\[\\p{Nd}*\\]|\\[edit\\]|\\[citation needed\\]");
    private static final String[] POLICY_PHRASES = {
        "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"
    };

    private final CleaningRules rules;
    private final SentenceCounter sentences = new SentenceCounter();

    public C4PageCleaner(CleaningRules rules) {
        this.rules = rules;
    }

    public PageVerdict clean(String page) {
        int[] removed = new int[LineRule.values().length];
        List<String> kept = new ArrayList<>();
        int sentenceCount = 0;
        for (String rawLine : PythonText.splitLines(page)) {
            String line = PythonText.strip(rawLine);
            if (rules.maxWordLength && PythonText.longestWord(line) > rules.maxWordChars) {
                removed[LineRule.TOO_LONG_WORD.ordinal()]++;
                continue;
            }
            // The regex would try every offset of every line; only a line with a bracket can match.
            if (rules.citations && line.indexOf('[') >= 0) {
                line = CITATION.matcher(line).replaceAll("");
            }
            if (rules.terminalPunctuation && !endsWithTerminalMark(line)) {
                removed[LineRule.NO_TERMINAL_PUNCTUATION.ordinal()]++;
                continue;
            }
            if (rules.minWordsPerLine && PythonText.wordCount(line) < rules.minWords) {
                removed[LineRule.TOO_FEW_WORDS.ordinal()]++;
                continue;
            }
            String lower = line.toLowerCase(Locale.ROOT);
            if (rules.loremIpsum && lower.contains("lorem ipsum")) {
                return PageVerdict.dropped(PageDropReason.LOREM_IPSUM, removed);
            }
            if (rules.javascript && lower.contains("javascript")) {
                removed[LineRule.JAVASCRIPT.ordinal()]++;
                continue;
            }
            if (rules.curlyBracket && line.indexOf('{') >= 0) {
                return PageVerdict.dropped(PageDropReason.CURLY_BRACKET, removed);
            }
            if (rules.policy && containsPolicyPhrase(lower)) {
                removed[LineRule.POLICY.ordinal()]++;
                continue;
            }
            if (rules.minSentences) {
                sentenceCount += sentences.count(line);
            }
            kept.add(line);
        }
        if (rules.minSentences && sentenceCount < rules.minSentenceCount) {
            return PageVerdict.dropped(PageDropReason.TOO_FEW_SENTENCES, removed);
        }
        String text = PythonText.strip(String.join("\n", kept));
        if (text.isEmpty()) {
            return PageVerdict.dropped(PageDropReason.EMPTY_AFTER_CLEANING, removed);
        }
        return PageVerdict.kept(text, removed);
    }

    /** Counts the sentences of a whole text, as the minimum after line deduplication does. */
    public int sentenceCount(String text) {
        return sentences.count(text);
    }

    private static boolean endsWithTerminalMark(String line) {
        if (line.isEmpty() || line.endsWith("...")) {
            return false;
        }
        char last = line.charAt(line.length() - 1);
        return last == '.' || last == '?' || last == '!' || last == '"';
    }

    private static boolean containsPolicyPhrase(String lower) {
        for (String phrase : POLICY_PHRASES) {
            if (lower.contains(phrase)) {
                return true;
            }
        }
        return false;
    }
}
