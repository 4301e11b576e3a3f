package org.sparkbert.tokenize.instances;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparkbert.tokenize.masking.SpecialTokens;
import org.sparkbert.tokenize.masking.StreamSeed;

/**
 * BERT's sentence-pair instance: {@code truncate_seq_pair}, then {@code [CLS] A [SEP] B [SEP]} with
 * segment ids 0 up to and including the first {@code [SEP]} and 1 after it.
 */
public final class PairLayout {
    private static final long TRUNCATION_STREAM = 0x7472756E63L;

    private PairLayout() {}

    /** The pair as an instance; its truncation draws from a stream of its own key, so it is the same wherever it runs. */
    public static TrainingInstance instance(
            InstanceKey key, String docId, int[] a, int[] b, int label, int maxPairTokens, SpecialTokens specials) {
        int[][] ab = truncate(a, b, maxPairTokens, StreamSeed.random(key.rank(), TRUNCATION_STREAM));
        a = ab[0];
        b = ab[1];
        int length = a.length + b.length + 3;
        int[] ids = new int[length];
        int[] types = new int[length];
        ids[0] = specials.cls();
        System.arraycopy(a, 0, ids, 1, a.length);
        ids[a.length + 1] = specials.sep();
        System.arraycopy(b, 0, ids, a.length + 2, b.length);
        ids[length - 1] = specials.sep();
        for (int i = a.length + 2; i < length; i++) {
            types[i] = 1;
        }
        return new TrainingInstance(key, docId, ids, types, label);
    }

    /**
     * Trims the longer segment one token at a time, from its front or its back with even odds, until
     * both fit: trimming only the end would teach the model that text ends abruptly only at the back.
     * Neither segment is ever emptied while the limit allows one token each.
     */
    static int[][] truncate(int[] a, int[] b, int maxTokens, SplittableRandom rng) {
        int aFrom = 0, aTo = a.length, bFrom = 0, bTo = b.length;
        while ((aTo - aFrom) + (bTo - bFrom) > maxTokens) {
            boolean trimA = aTo - aFrom > bTo - bFrom;
            boolean front = rng.nextDouble() < 0.5;
            if (trimA) {
                if (front) aFrom++;
                else aTo--;
            } else {
                if (front) bFrom++;
                else bTo--;
            }
        }
        return new int[][] {Arrays.copyOfRange(a, aFrom, aTo), Arrays.copyOfRange(b, bFrom, bTo)};
    }
}
