package org.sparkbert.evaluate.perplexity;

/** One sequence to score: [CLS] tokens [SEP], with the key that seeds its mask. */
public record ScoringSequence(long key, int[] inputIds) {}
