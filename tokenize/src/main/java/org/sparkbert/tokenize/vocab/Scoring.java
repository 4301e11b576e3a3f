package org.sparkbert.tokenize.vocab;

/** How the merge loop ranks a pair of adjacent symbols (a, b). */
public enum Scoring {
    /** count(ab): BPE's criterion, and Hugging Face's WordPiece trainer (BPE with ## prefixes). */
    frequency,
    /** count(ab) / (count(a) x count(b)): the original WordPiece criterion, the merge that most raises the likelihood. */
    likelihood
}
