package org.sparkbert.engine.model;

/**
 * One batch of pretraining instances as the model reads it: B sequences of T tokens (padded),
 * row-major [B,T] int arrays, the P masked positions as flat indices b*T+t in increasing order with
 * their original token ids, and one sentence label per sequence (ignored for objective mlm), or for
 * a regression head (num_labels 1) one float target per sequence.
 */
public record Batch(
        int batchSize,
        int seqLength,
        int[] inputIds,
        int[] tokenTypeIds,
        int[] attentionMask,
        int[] maskedPositions,
        int[] maskedLabels,
        int[] sentenceLabels,
        float[] sentenceTargets) {

    /** A batch for a classification sentence head (no regression targets). */
    public Batch(
            int batchSize,
            int seqLength,
            int[] inputIds,
            int[] tokenTypeIds,
            int[] attentionMask,
            int[] maskedPositions,
            int[] maskedLabels,
            int[] sentenceLabels) {
        this(
                batchSize,
                seqLength,
                inputIds,
                tokenTypeIds,
                attentionMask,
                maskedPositions,
                maskedLabels,
                sentenceLabels,
                null);
    }

    public Batch {
        int bt = batchSize * seqLength;
        if (batchSize <= 0 || seqLength <= 0)
            throw new IllegalArgumentException("empty batch " + batchSize + "x" + seqLength);
        if (inputIds.length != bt || tokenTypeIds.length != bt || attentionMask.length != bt) {
            throw new IllegalArgumentException(
                    "input_ids, token_type_ids and attention_mask must hold " + bt + " values");
        }
        if (maskedPositions.length != maskedLabels.length) {
            throw new IllegalArgumentException(
                    maskedPositions.length + " masked positions but " + maskedLabels.length + " labels");
        }
        if (sentenceTargets != null && sentenceTargets.length != batchSize) {
            throw new IllegalArgumentException(
                    "need " + batchSize + " sentence targets, got " + sentenceTargets.length);
        }
        if (sentenceLabels.length != batchSize) {
            throw new IllegalArgumentException("need " + batchSize + " sentence labels, got " + sentenceLabels.length);
        }
        for (int i = 0; i < maskedPositions.length; i++) {
            int p = maskedPositions[i];
            if (p < 0 || p >= bt || (i > 0 && p <= maskedPositions[i - 1])) {
                throw new IllegalArgumentException(
                        "masked positions must be increasing flat indices below " + bt + ", got " + p + " at " + i);
            }
        }
        for (int b = 0; b < batchSize; b++) {
            if (attentionMask[b * seqLength] == 0) {
                throw new IllegalArgumentException(
                        "sequence " + b + " starts with a padding token: every row needs a real first token");
            }
        }
    }

    public int predictions() {
        return maskedPositions.length;
    }

    /** Non-padding tokens, the unit of tokens/s. */
    public int realTokens() {
        int n = 0;
        for (int m : attentionMask) n += m != 0 ? 1 : 0;
        return n;
    }
}
