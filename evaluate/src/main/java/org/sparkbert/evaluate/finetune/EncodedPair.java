package org.sparkbert.evaluate.finetune;

/** One example as the model reads it: [CLS] a [SEP] (b [SEP]) ids and their segment (token type) ids. */
public record EncodedPair(int[] inputIds, int[] tokenTypeIds) {

    public int length() {
        return inputIds.length;
    }
}
