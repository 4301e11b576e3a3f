package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import org.sparkbert.tokenize.masking.SpecialTokens;
import org.sparkbert.tokenize.masking.StreamSeed;

/**
 * A next-sentence pair cut from its document: segment A, and either the true continuation B or,
 * for a random next, which other document B must come from and how long it should be. Random Bs are
 * filled in where that document lives (a join by document index), so B can come from anywhere in
 * the corpus.
 *
 * @param otherDocument the index of the document B comes from, or -1 when B is the true continuation
 */
public record PendingPair(InstanceKey key, String docId, int[] a, int[] trueNext, long otherDocument, int targetBLength)
        implements Serializable {
    private static final long SPAN_STREAM = 0x7370616EL;

    public static PendingPair trueNext(InstanceKey key, String docId, int[] a, int[] b) {
        return new PendingPair(key, docId, a, b, -1, 0);
    }

    public static PendingPair randomNext(
            InstanceKey key, String docId, int[] a, long otherDocument, int targetBLength) {
        return new PendingPair(key, docId, a, null, otherDocument, targetBLength);
    }

    public boolean needsRandomNext() {
        return otherDocument >= 0;
    }

    /** The instance with its true continuation (label 0). */
    public TrainingInstance complete(int maxPairTokens, SpecialTokens specials) {
        return PairLayout.instance(key, docId, a, trueNext, 0, maxPairTokens, specials);
    }

    /**
     * The instance with B taken from {@code other} (label 1), as BERT takes it: sentences from a
     * random start until B reaches its target length or the document ends.
     */
    public TrainingInstance completeFrom(TokenizedDocument other, int maxPairTokens, SpecialTokens specials) {
        int start = StreamSeed.random(key.rank(), SPAN_STREAM).nextInt(other.sentenceCount());
        int end = start;
        int length = 0;
        while (end < other.sentenceCount() && length < targetBLength) {
            length += other.sentences()[end].length;
            end++;
        }
        if (end == start) {
            end = start + 1;
        }
        return PairLayout.instance(key, docId, a, other.tokens(start, end), 1, maxPairTokens, specials);
    }
}
