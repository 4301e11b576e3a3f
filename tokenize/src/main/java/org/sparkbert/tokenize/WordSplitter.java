package org.sparkbert.tokenize;

import java.io.Serializable;
import java.util.function.Consumer;

/**
 * Splits text into the words a vocabulary is trained on, exactly as the matching encoder splits
 * it before WordPiece or BPE: BERT's BasicTokenizer words, or GPT-2's pre-tokenisation pieces in
 * their byte-level form ({@code Ġ} for a leading space). Serializable, so Spark ships it to tasks.
 */
public interface WordSplitter extends Serializable {
    void split(String text, Consumer<String> word);

    /** BERT's BasicTokenizer words (lower-cased and accent-stripped when {@code lowercase}). */
    static WordSplitter bert(boolean lowercase) {
        BasicTokenizer basic = new BasicTokenizer(lowercase);
        return (text, word) -> basic.tokenize(text, (chars, start, end) -> word.accept(new String(chars, start, end - start)));
    }

    /** GPT-2's pre-tokenisation pieces as byte-level strings (lower-cased first when {@code lowercase}). */
    static WordSplitter byteLevel(boolean lowercase) {
        return (text, word) -> {
            String input = lowercase ? text.toLowerCase(java.util.Locale.ROOT) : text;
            int start = 0;
            while (start < input.length()) {
                int end = Gpt2PreTokenizer.pieceEnd(input, start);
                word.accept(ByteLevel.encode(input.substring(start, end)));
                start = end;
            }
        };
    }
}
