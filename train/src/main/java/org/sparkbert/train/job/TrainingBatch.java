package org.sparkbert.train.job;

/**
 * One padded, masked batch as the engine consumes it: row-major [B, T] ids, segment ids and
 * attention mask (1 real, 0 padding); the masked positions as flat indices b*T+t in increasing
 * order with the ids to predict there; one NSP/SOP label per row (unused for mlm).
 */
public record TrainingBatch(int batchSize, int seqLength, int[] inputIds, int[] tokenTypeIds, int[] attentionMask,
                            int[] maskedPositions, int[] maskedLabels, int[] sentenceLabels, long realTokens) {
}
