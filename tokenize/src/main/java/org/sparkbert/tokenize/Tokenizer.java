package org.sparkbert.tokenize;

import java.io.Serializable;

/**
 * A trained vocabulary applied to text: WordPiece (BERT) or byte-level BPE (GPT-2, RoBERTa). Every
 * later stage sees tokenizers through this seam; it is serializable so that Spark ships it to tasks.
 */
public interface Tokenizer extends Serializable {
    enum Kind {
        WORDPIECE,
        BYTE_LEVEL_BPE
    }

    Kind kind();

    /** The token ids of a text, without special tokens. */
    int[] encode(String text);

    /** The token string of an id. */
    String token(int id);

    /** The id of a token string, or -1 when the vocabulary does not hold it. */
    int id(String token);

    int vocabularySize();

    /**
     * Whether this token continues the word of the token before it, for whole-word masking:
     * a WordPiece {@code ##} piece; a byte-level BPE token that does not start a word (no leading
     * {@code Ġ}), as fairseq's whole-word mask defines it.
     */
    boolean continuesWord(int id);
}
