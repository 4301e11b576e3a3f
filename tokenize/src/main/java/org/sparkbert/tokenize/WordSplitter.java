package org.sparkbert.tokenize;

import java.io.Serializable;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Splits text into the words a vocabulary is trained on, exactly as the matching encoder splits
 * it before WordPiece or BPE: BERT's BasicTokenizer words, or GPT-2's pre-tokenisation pieces.
 * Words are handed out as char ranges, so that counting them allocates nothing for a word already
 * seen; {@link #trainingForm} turns a distinct word into the symbols training spells it in.
 * Serializable, so Spark ships it to tasks.
 */
public interface WordSplitter extends Serializable {
    /** Receives each word as {@code chars[start, end)}; the array may be reused after the call. */
    interface Sink {
        void word(char[] chars, int start, int end);
    }

    void split(String text, Sink sink);

    /** The string training spells a word in: itself for WordPiece, its byte-level form for BPE. */
    String trainingForm(String word);

    /** Each word in its training form, as a string (for tests and small inputs). */
    default void split(String text, Consumer<String> word) {
        split(text, (chars, start, end) -> word.accept(trainingForm(new String(chars, start, end - start))));
    }

    /** BERT's BasicTokenizer words (lower-cased and accent-stripped when {@code lowercase}). */
    static WordSplitter bert(boolean lowercase) {
        return new BertWords(new BasicTokenizer(lowercase));
    }

    /** GPT-2's pre-tokenisation pieces (of the lower-cased text when {@code lowercase}), trained as byte-level strings. */
    static WordSplitter byteLevel(boolean lowercase) {
        return new ByteLevelWords(lowercase);
    }

    /** BasicTokenizer words. */
    final class BertWords implements WordSplitter {
        private static final long serialVersionUID = 1L;
        private final BasicTokenizer basic;

        BertWords(BasicTokenizer basic) {
            this.basic = basic;
        }

        @Override
        public void split(String text, Sink sink) {
            basic.tokenize(text, sink::word);
        }

        @Override
        public String trainingForm(String word) {
            return word;
        }
    }

    /** GPT-2 pieces, counted as text and turned into byte-level strings once per distinct piece. */
    final class ByteLevelWords implements WordSplitter {
        private static final long serialVersionUID = 1L;
        private final boolean lowercase;

        ByteLevelWords(boolean lowercase) {
            this.lowercase = lowercase;
        }

        @Override
        public void split(String text, Sink sink) {
            String input = lowercase ? text.toLowerCase(Locale.ROOT) : text;
            char[] chars = input.toCharArray();
            int start = 0;
            while (start < chars.length) {
                int end = Gpt2PreTokenizer.pieceEnd(input, start);
                sink.word(chars, start, end);
                start = end;
            }
        }

        @Override
        public String trainingForm(String word) {
            return ByteLevel.encode(word);
        }
    }
}
