package org.sparkbert.tokenize.instances;

/** What the instances are for: BERT's next-sentence pairs, ALBERT's sentence-order pairs, or RoBERTa's masked LM alone. */
public enum Objective {
    nsp,
    sop,
    mlm;

    public boolean hasPairLabel() {
        return this != mlm;
    }
}
