package org.sparkbert.tokenize.vocab;

/** The kind of vocabulary to train. */
public enum VocabModel {
    /** BERT's: vocab.txt, ## continuations, encoded by greedy longest match. */
    wordpiece,
    /** GPT-2's and RoBERTa's: vocab.json + merges.txt over the 256 byte symbols. */
    bpe
}
