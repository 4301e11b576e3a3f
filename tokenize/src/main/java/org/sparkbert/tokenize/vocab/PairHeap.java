package org.sparkbert.tokenize.vocab;

import java.util.Arrays;

/**
 * The merge candidates, best first: a binary max-heap of (score, pair) entries. Entries are never
 * updated in place; a pair whose score changes is pushed again with a new version, and a popped
 * entry whose version is not the pair's latest is stale and dropped (Hugging Face's lazy update).
 * Equal scores go to the pair with the smaller (left, right) ids, as in Hugging Face's trainer.
 */
final class PairHeap {
    private double[] scores = new double[1024];
    private long[] ids = new long[1024];
    private int[] pairs = new int[1024];
    private int[] versions = new int[1024];
    private int size;
    private int poppedVersion;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    /** @param leftRight the pair's ids packed as {@code left << 32 | right}, for the tie-break */
    void push(double score, long leftRight, int pair, int version) {
        if (size == scores.length) grow();
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(score, leftRight, scores[parent], ids[parent])) break;
            move(parent, i);
            i = parent;
        }
        set(i, score, leftRight, pair, version);
    }

    /** Removes the best entry and returns its pair; its version is then {@link #poppedVersion()}. */
    int pop() {
        int pair = pairs[0];
        poppedVersion = versions[0];
        size--;
        if (size > 0) siftDown(scores[size], ids[size], pairs[size], versions[size]);
        return pair;
    }

    int poppedVersion() {
        return poppedVersion;
    }

    private void siftDown(double score, long leftRight, int pair, int version) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && better(scores[child + 1], ids[child + 1], scores[child], ids[child])) child++;
            if (!better(scores[child], ids[child], score, leftRight)) break;
            move(child, i);
            i = child;
        }
        set(i, score, leftRight, pair, version);
    }

    private void set(int i, double score, long leftRight, int pair, int version) {
        scores[i] = score;
        ids[i] = leftRight;
        pairs[i] = pair;
        versions[i] = version;
    }

    private void move(int from, int to) {
        set(to, scores[from], ids[from], pairs[from], versions[from]);
    }

    private void grow() {
        int capacity = scores.length * 2;
        scores = Arrays.copyOf(scores, capacity);
        ids = Arrays.copyOf(ids, capacity);
        pairs = Arrays.copyOf(pairs, capacity);
        versions = Arrays.copyOf(versions, capacity);
    }

    private static boolean better(double scoreA, long idsA, double scoreB, long idsB) {
        if (scoreA != scoreB) return scoreA > scoreB;
        return idsA < idsB; // ids are non-negative ints, so the packed long orders by (left, right)
    }
}
