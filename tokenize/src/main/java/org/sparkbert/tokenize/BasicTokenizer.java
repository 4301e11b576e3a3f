package org.sparkbert.tokenize;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT's BasicTokenizer exactly as google-research/bert tokenization.py defines it: drop control
 * characters, put CJK ideographs in words of their own, split on whitespace, lower-case and strip
 * accents (NFD, then drop Mn) when uncased, split punctuation off as one-character words.
 *
 * <p>Words go to a {@link WordSink} as ranges of a char array, so nothing is allocated per word for
 * ASCII text; a whitespace-delimited chunk holding any non-ASCII character takes the general path
 * through {@link String#toLowerCase(Locale)} and {@link Normalizer} as Python's {@code lower()} and
 * {@code unicodedata.normalize("NFD")} do.
 *
 * <p>Where Hugging Face's Rust {@code BertNormalizer} differs from tokenization.py, this follows
 * tokenization.py: Hugging Face drops every C* character (also private use, unassigned, surrogates)
 * where Google drops Cc and Cf only, and it lower-cases character by character, so a word-final
 * capital sigma becomes σ where Python's {@code lower()} gives ς. Text without such characters
 * encodes the same both ways.
 */
final class BasicTokenizer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Receives each word as {@code chars[start, end)}; the array is reused after the call returns. */
    interface WordSink {
        void word(char[] chars, int start, int end);
    }

    private final boolean lowercase;

    BasicTokenizer(boolean lowercase) {
        this.lowercase = lowercase;
    }

    boolean lowercase() {
        return lowercase;
    }

    void tokenize(String text, WordSink sink) {
        int n = text.length();
        char[] chunk = new char[Math.min(n, 1024)];
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            int cp = c < 128 ? c : text.codePointAt(i);
            if (BertCharacters.classOf(cp) == BertCharacters.WHITESPACE) {
                i += Character.charCount(cp);
                continue;
            }
            if (cp >= 128 && BertCharacters.isChineseChar(cp)) {
                int width = Character.charCount(cp);
                emitChunk(text.substring(i, i + width), sink);
                i += width;
                continue;
            }
            if (chunk.length < n - i) chunk = new char[n - i];
            int len = 0;
            boolean ascii = true;
            while (i < n) {
                c = text.charAt(i);
                if (c < 128) {
                    byte kind = BertCharacters.asciiClass(c);
                    if (kind == BertCharacters.WHITESPACE) break;
                    i++;
                    if (kind != BertCharacters.CONTROL) chunk[len++] = c;
                    continue;
                }
                cp = text.codePointAt(i);
                byte kind = BertCharacters.classOf(cp);
                if (kind == BertCharacters.WHITESPACE || BertCharacters.isChineseChar(cp)) break;
                int width = Character.charCount(cp);
                if (kind != BertCharacters.CONTROL) {
                    text.getChars(i, i + width, chunk, len);
                    len += width;
                    ascii = false;
                }
                i += width;
            }
            if (len == 0) continue;
            if (ascii) emitAsciiChunk(chunk, len, sink);
            else emitChunk(new String(chunk, 0, len), sink);
        }
    }

    /** The words of a text as strings (for tests and tools; encoders use the sink). */
    List<String> words(String text) {
        List<String> words = new ArrayList<>();
        tokenize(text, (chars, start, end) -> words.add(new String(chars, start, end - start)));
        return words;
    }

    private void emitAsciiChunk(char[] chunk, int len, WordSink sink) {
        if (lowercase) {
            for (int j = 0; j < len; j++) {
                char c = chunk[j];
                if (c >= 'A' && c <= 'Z') chunk[j] = (char) (c + 32);
            }
        }
        int start = 0;
        for (int j = 0; j < len; j++) {
            if (BertCharacters.asciiClass(chunk[j]) == BertCharacters.PUNCTUATION) {
                if (j > start) sink.word(chunk, start, j);
                sink.word(chunk, j, j + 1);
                start = j + 1;
            }
        }
        if (len > start) sink.word(chunk, start, len);
    }

    /** The general path: lower-case and strip accents as Python does, then split punctuation. */
    private void emitChunk(String chunk, WordSink sink) {
        if (lowercase) chunk = stripAccents(chunk.toLowerCase(Locale.ROOT));
        char[] chars = chunk.toCharArray();
        int start = 0;
        int j = 0;
        while (j < chars.length) {
            int cp = Character.codePointAt(chars, j);
            int width = Character.charCount(cp);
            byte kind = BertCharacters.classOf(cp);
            if (kind == BertCharacters.PUNCTUATION) {
                if (j > start) sink.word(chars, start, j);
                sink.word(chars, j, j + width);
                start = j + width;
            } else if (kind == BertCharacters.WHITESPACE) {
                // tokenization.py splits the joined words on whitespace once more
                if (j > start) sink.word(chars, start, j);
                start = j + width;
            }
            j += width;
        }
        if (chars.length > start) sink.word(chars, start, chars.length);
    }

    private static String stripAccents(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder kept = new StringBuilder(decomposed.length());
        for (int j = 0; j < decomposed.length(); ) {
            int cp = decomposed.codePointAt(j);
            if (Character.getType(cp) != Character.NON_SPACING_MARK) kept.appendCodePoint(cp);
            j += Character.charCount(cp);
        }
        return kept.toString();
    }
}
