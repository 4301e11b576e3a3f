package org.sparkbert.evaluate.perplexity;

/** A sequence as the model scores it: its corrupted input ids and the positions to predict with their true ids. */
record MaskedRow(int[] inputIds, int[] positions, int[] labels) {
}
