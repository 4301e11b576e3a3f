package org.sparkbert.tokenize.heldout;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Token counts of the training split for the count baselines: for every ordinary (non-special) token
 * w at a position with a left neighbour l and a right neighbour r, the counts c(w), c(l, w), c(w, r)
 * and c(l, w, r). Contexts can be restricted to those the validation positions ask about, so that the
 * counts of a large corpus stay as small as the validation set (the unigram counts are always whole).
 * Partial counts merge, so Spark tasks count their partitions and the driver adds them up.
 */
public final class NeighbourCounts implements Serializable {
    private static final long serialVersionUID = 1L;

    private final boolean[] special;
    private final long[] unigram;
    private long total;
    private final Map<Long, Map<Integer, Long>> both = new HashMap<>();
    private final Map<Integer, Map<Integer, Long>> left = new HashMap<>();
    private final Map<Integer, Map<Integer, Long>> right = new HashMap<>();
    private final Set<Long> wantedBoth;
    private final Set<Integer> wantedLeft;
    private final Set<Integer> wantedRight;

    /**
     * @param vocabularySize the ids are 0..size-1
     * @param specialIds     ids never predicted (and so never counted as a target)
     * @param wantedBoth     (l, r) contexts to keep, as {@link #pair}; null keeps all (likewise the others)
     */
    public NeighbourCounts(
            int vocabularySize,
            int[] specialIds,
            Set<Long> wantedBoth,
            Set<Integer> wantedLeft,
            Set<Integer> wantedRight) {
        this.special = new boolean[vocabularySize];
        for (int id : specialIds) {
            special[id] = true;
        }
        this.unigram = new long[vocabularySize];
        this.wantedBoth = wantedBoth;
        this.wantedLeft = wantedLeft;
        this.wantedRight = wantedRight;
    }

    public static long pair(int l, int r) {
        return ((long) l << 32) | (r & 0xffffffffL);
    }

    /** Counts every ordinary token of a sequence that has a neighbour on both sides. */
    public NeighbourCounts add(int[] ids) {
        for (int i = 1; i < ids.length - 1; i++) {
            int w = ids[i];
            if (w < 0 || w >= special.length) {
                throw new IllegalArgumentException(
                        "token id " + w + " lies outside the vocabulary of " + special.length);
            }
            if (special[w]) {
                continue;
            }
            unigram[w]++;
            total++;
            int l = ids[i - 1];
            int r = ids[i + 1];
            if (wantedBoth == null || wantedBoth.contains(pair(l, r))) {
                increment(both.computeIfAbsent(pair(l, r), k -> new HashMap<>()), w, 1);
            }
            if (wantedLeft == null || wantedLeft.contains(l)) {
                increment(left.computeIfAbsent(l, k -> new HashMap<>()), w, 1);
            }
            if (wantedRight == null || wantedRight.contains(r)) {
                increment(right.computeIfAbsent(r, k -> new HashMap<>()), w, 1);
            }
        }
        return this;
    }

    public NeighbourCounts merge(NeighbourCounts other) {
        for (int w = 0; w < unigram.length; w++) {
            unigram[w] += other.unigram[w];
        }
        total += other.total;
        mergeInto(both, other.both);
        mergeInto(left, other.left);
        mergeInto(right, other.right);
        return this;
    }

    int vocabularySize() {
        return special.length;
    }

    boolean isSpecial(int id) {
        return special[id];
    }

    /** Ordinary tokens in the vocabulary: the support of the unigram's add-one smoothing. */
    int ordinaryTypes() {
        int n = 0;
        for (boolean s : special) {
            n += s ? 0 : 1;
        }
        return n;
    }

    long unigram(int w) {
        return unigram[w];
    }

    long total() {
        return total;
    }

    Map<Integer, Long> followers(int l, int r) {
        return both.getOrDefault(pair(l, r), Map.of());
    }

    Map<Integer, Long> afterLeft(int l) {
        return left.getOrDefault(l, Map.of());
    }

    Map<Integer, Long> beforeRight(int r) {
        return right.getOrDefault(r, Map.of());
    }

    private static <K> void mergeInto(Map<K, Map<Integer, Long>> into, Map<K, Map<Integer, Long>> from) {
        for (Map.Entry<K, Map<Integer, Long>> e : from.entrySet()) {
            Map<Integer, Long> target = into.computeIfAbsent(e.getKey(), k -> new HashMap<>());
            e.getValue().forEach((w, c) -> increment(target, w, c));
        }
    }

    private static void increment(Map<Integer, Long> counts, int w, long by) {
        counts.merge(w, by, Long::sum);
    }
}
