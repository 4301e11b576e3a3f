package org.sparkbert.engine.model;

/**
 * What the sentence head reads: BERT's pooler (dense + tanh) over the [CLS] position, or the mean of
 * the final hidden states over each sequence's attended tokens (special tokens included), fed to the
 * classifier directly, as sentence-transformers pools a sentence (the pooler is then unused).
 */
public enum SentencePooling {
    CLS,
    MEAN;

    /** "cls" or "mean", as a command line gives it. */
    public static SentencePooling parse(String name) {
        for (SentencePooling p : values()) {
            if (p.name().equalsIgnoreCase(name)) return p;
        }
        throw new IllegalArgumentException("unknown sentence head '" + name + "': cls (BERT's [CLS] pooler) or mean");
    }
}
