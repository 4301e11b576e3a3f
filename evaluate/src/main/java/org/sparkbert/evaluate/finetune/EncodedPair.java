package org.sparkbert.evaluate.finetune;

import java.util.Arrays;
import java.util.List;
import org.sparkbert.engine.model.Batch;

/** One example as the model reads it: [CLS] a [SEP] (b [SEP]) ids and their segment (token type) ids. */
public record EncodedPair(int[] inputIds, int[] tokenTypeIds) {

    public int length() {
        return inputIds.length;
    }

    /**
     * The examples as one batch of seqLength positions, padded with padId and masked out past each
     * example's end, with their sentence labels (classification) or targets (regression, else null).
     */
    public static Batch batch(List<EncodedPair> rows, int seqLength, int padId, int[] labels, float[] targets) {
        int b = rows.size();
        int t = seqLength;
        int[] ids = new int[b * t];
        int[] types = new int[b * t];
        int[] attention = new int[b * t];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            EncodedPair row = rows.get(r);
            if (row.length() > t) {
                throw new IllegalArgumentException(
                        "an example of " + row.length() + " tokens is longer than the model's " + t);
            }
            System.arraycopy(row.inputIds(), 0, ids, r * t, row.length());
            System.arraycopy(row.tokenTypeIds(), 0, types, r * t, row.length());
            Arrays.fill(attention, r * t, r * t + row.length(), 1);
        }
        return new Batch(b, t, ids, types, attention, new int[0], new int[0], labels, targets);
    }
}
