package org.sparkbert.evaluate.perplexity;

/**
 * A sequence as the model scores it: its corrupted input ids, its segment ids (null: all segment 0)
 * and the positions to predict with their true ids.
 */
record MaskedRow(int[] inputIds, int[] tokenTypeIds, int[] positions, int[] labels) {}
