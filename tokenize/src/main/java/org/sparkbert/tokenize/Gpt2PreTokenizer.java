package org.sparkbert.tokenize;

/**
 * GPT-2's pre-tokenisation pattern, hand-compiled:
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
 * A scanner over character classes finds the same pieces as the regex without its backtracking;
 * ASCII characters are classified from a table.
 */
final class Gpt2PreTokenizer {
    private static final byte LETTER = 0, NUMBER = 1, SPACE = 2, OTHER = 3;
    private static final byte[] ASCII = asciiClasses();

    private Gpt2PreTokenizer() {}

    private static byte[] asciiClasses() {
        byte[] classes = new byte[128];
        for (int c = 0; c < 128; c++) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) classes[c] = LETTER;
            else if (c >= '0' && c <= '9') classes[c] = NUMBER;
            else if (c == ' ' || (c >= 9 && c <= 13)) classes[c] = SPACE;
            else classes[c] = OTHER;
        }
        return classes;
    }

    /** \s is Unicode White_Space (as in Oniguruma and Python's regex), \p{L} and \p{N} the general categories. */
    private static byte classOf(int cp) {
        if (cp < 128) return ASCII[cp];
        if (cp == 0x85 || Character.isSpaceChar(cp)) return SPACE;
        if (Character.isLetter(cp)) return LETTER;
        int type = Character.getType(cp);
        if (type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER) {
            return NUMBER;
        }
        return OTHER;
    }

    private static byte classAt(String text, int i) {
        char c = text.charAt(i);
        return c < 128 ? ASCII[c] : classOf(text.codePointAt(i));
    }

    /** The end (exclusive) of the piece that starts at {@code start}. */
    static int pieceEnd(String text, int start) {
        int n = text.length();
        char c = text.charAt(start);
        if (c == '\'' && start + 1 < n) {
            int contraction = contractionEnd(text, start, n);
            if (contraction > 0) return contraction;
        }
        int from = (c == ' ' && start + 1 < n && classAt(text, start + 1) != SPACE) ? start + 1 : start;
        byte kind = classAt(text, from);
        if (kind != SPACE) return runEnd(text, from, kind);
        int end = runEnd(text, start, SPACE);
        if (end == n || end - start == 1) return end;
        return end - 1; // \s+(?!\S): leave the last space to the word after it
    }

    private static int contractionEnd(String text, int start, int n) {
        char d = text.charAt(start + 1);
        if (d == 's' || d == 't' || d == 'm' || d == 'd') return start + 2;
        if (start + 2 < n) {
            char e = text.charAt(start + 2);
            if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) return start + 3;
        }
        return -1;
    }

    private static int runEnd(String text, int from, byte kind) {
        int n = text.length();
        int i = from;
        while (i < n) {
            char c = text.charAt(i);
            if (c < 128) {
                if (ASCII[c] != kind) break;
                i++;
            } else {
                int cp = text.codePointAt(i);
                if (classOf(cp) != kind) break;
                i += Character.charCount(cp);
            }
        }
        return i;
    }
}
