package org.sparkbert.ingest.clean;

import java.util.ArrayList;
import java.util.List;

/**
 * The Python string operations C4's rules are written in, with Python 3's semantics: {@code isspace}
 * (which, unlike Java's {@code isWhitespace}, includes no-break spaces and U+0085), {@code strip()},
 * {@code split()} with no separator, and {@code splitlines()}. The thresholds mean the same only if
 * words and lines are counted the same way.
 */
public final class PythonText {
    private PythonText() {}

    public static boolean isSpace(char c) {
        return Character.isWhitespace(c) || c == '\u00A0' || c == '\u2007' || c == '\u202F' || c == '\u0085';
    }

    public static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** {@code s.split()}: the runs of non-space characters. */
    public static List<String> words(String s) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(s.substring(start, i));
            }
        }
        return words;
    }

    /** {@code len(s.split())} without building the list. */
    public static int wordCount(String s) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            boolean space = isSpace(s.charAt(i));
            if (!space && !inWord) {
                count++;
            }
            inWord = !space;
        }
        return count;
    }

    /** The length of the longest word of {@code s.split()}, in code points as Python's {@code len} counts. */
    public static int longestWord(String s) {
        int longest = 0;
        int current = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                current = 0;
            } else if (!Character.isLowSurrogate(c)) {
                current++;
                longest = Math.max(longest, current);
            }
        }
        return longest;
    }

    /** {@code s.splitlines()}: split at every line boundary Python knows; no trailing empty line. */
    public static List<String> splitLines(String s) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (isLineBoundary(c)) {
                lines.add(s.substring(start, i));
                if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
            i++;
        }
        if (start < n) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    private static boolean isLineBoundary(char c) {
        switch (c) {
            case '\n':
            case '\r':
            case '\u000B':
            case '\u000C':
            case '\u001C':
            case '\u001D':
            case '\u001E':
            case '\u0085':
            case '\u2028':
            case '\u2029':
                return true;
            default:
                return false;
        }
    }
}
