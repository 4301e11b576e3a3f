package org.sparkbert.ml;

import java.io.Serializable;
import java.util.Arrays;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * One text as BERT reads it: [CLS] tokens [SEP] (RoBERTa's {@code <s> ... </s>} for byte-level BPE),
 * segment 0 throughout, attention 1 on every real token. Too long a text loses its last tokens when
 * truncating, as run_classifier.py does for one sentence, and is an error otherwise; with padding the
 * arrays are filled to maxLength with the pad token and attention 0.
 */
final class SequenceLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The three arrays of one encoded text. */
    record Encoded(int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {}

    private final Tokenizer tokenizer;
    private final SpecialTokens specials;
    private final int maxLength;
    private final boolean truncate;
    private final boolean pad;

    SequenceLayout(Tokenizer tokenizer, int maxLength, boolean truncate, boolean pad) {
        if (maxLength < 3) {
            throw new IllegalArgumentException(
                    "maxLength must leave room for [CLS], one token and [SEP]: at least 3, not " + maxLength);
        }
        this.tokenizer = tokenizer;
        this.specials = SpecialTokens.of(tokenizer);
        this.maxLength = maxLength;
        this.truncate = truncate;
        this.pad = pad;
    }

    Encoded encode(String text) {
        int[] tokens = tokenizer.encode(text == null ? "" : text);
        if (tokens.length > maxLength - 2) {
            if (!truncate) {
                throw new IllegalArgumentException(
                        "a text of " + tokens.length + " tokens does not fit maxLength " + maxLength
                                + " with its two special tokens; set truncation to true or raise maxLength: "
                                + (text.length() > 80 ? text.substring(0, 80) + "..." : text));
            }
            tokens = Arrays.copyOf(tokens, maxLength - 2);
        }
        int length = tokens.length + 2;
        int size = pad ? maxLength : length;
        int[] ids = new int[size];
        int[] mask = new int[size];
        Arrays.fill(ids, specials.pad());
        ids[0] = specials.cls();
        System.arraycopy(tokens, 0, ids, 1, tokens.length);
        ids[length - 1] = specials.sep();
        Arrays.fill(mask, 0, length, 1);
        return new Encoded(ids, new int[size], mask);
    }
}
