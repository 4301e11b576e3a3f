package org.sparkbert.tokenize.instances;

import java.io.Serializable;

/**
 * A document as token ids, one array per sentence; no sentence is empty.
 *
 * @param docId     the {@code id} of the clean corpus row
 * @param sentences the ids of each sentence, in document order
 */
public record TokenizedDocument(String docId, int[][] sentences) implements Serializable {

    public int sentenceCount() {
        return sentences.length;
    }

    public long tokenCount() {
        long n = 0;
        for (int[] s : sentences) {
            n += s.length;
        }
        return n;
    }

    /** The ids of sentences {@code [from, to)} joined into one array. */
    public int[] tokens(int from, int to) {
        int length = 0;
        for (int i = from; i < to; i++) {
            length += sentences[i].length;
        }
        int[] out = new int[length];
        int at = 0;
        for (int i = from; i < to; i++) {
            System.arraycopy(sentences[i], 0, out, at, sentences[i].length);
            at += sentences[i].length;
        }
        return out;
    }
}
