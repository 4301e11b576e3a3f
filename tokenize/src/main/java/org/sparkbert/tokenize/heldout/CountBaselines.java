package org.sparkbert.tokenize.heldout;

import java.util.Map;

/**
 * The two count baselines a masked-LM's held-out loss is read against, both from the training split's
 * {@link NeighbourCounts}, both probabilities over the ordinary (non-special) tokens:
 * <ul>
 *   <li>unigram, add-one: {@code P(w) = (c(w) + 1) / (N + V)}, N the counted tokens, V the ordinary
 *   tokens of the vocabulary; its cross-entropy on the masked tokens is what a model that ignores
 *   context can reach;</li>
 *   <li>two-neighbour, interpolated Witten-Bell: {@code P(w | l, r) = (c(l,w,r) + T(l,r) Pb(w)) /
 *   (c(l,.,r) + T(l,r))} with T the distinct tokens seen between l and r, backing off to
 *   {@code Pb(w) = (P(w | l) + P(w | r)) / 2}, each of those Witten-Bell over the add-one unigram in
 *   the same way; an unseen context gives its back-off unchanged. It shows what local statistics
 *   alone reach.</li>
 * </ul>
 * l and r are the neighbours as the model sees them in the corrupted input (a neighbour that is
 * itself masked reads [MASK], a context never seen in training, so the model backs off).
 */
public final class CountBaselines {
    private final NeighbourCounts counts;
    private final double unigramDenominator;

    public CountBaselines(NeighbourCounts counts) {
        this.counts = counts;
        this.unigramDenominator = counts.total() + counts.ordinaryTypes();
    }

    public double unigram(int w) {
        requireOrdinary(w);
        return (counts.unigram(w) + 1) / unigramDenominator;
    }

    public double neighbours(int l, int w, int r) {
        requireOrdinary(w);
        double leftRight = 0.5
                * (wittenBell(counts.afterLeft(l), w, unigram(w)) + wittenBell(counts.beforeRight(r), w, unigram(w)));
        return wittenBell(counts.followers(l, r), w, leftRight);
    }

    /** Adds one masked position of a validation row (corrupted input ids, the position, its true id) to the sums. */
    public void score(int[] inputIds, int position, int label, Sums sums) {
        int l = position > 0 ? inputIds[position - 1] : -1;
        int r = position < inputIds.length - 1 ? inputIds[position + 1] : -1;
        sums.unigramNats -= Math.log(unigram(label));
        sums.neighbourNats -= Math.log(neighbours(l, label, r));
        sums.positions++;
    }

    private static double wittenBell(Map<Integer, Long> seen, int w, double lower) {
        if (seen.isEmpty()) {
            return lower;
        }
        long n = 0;
        for (long c : seen.values()) {
            n += c;
        }
        int types = seen.size();
        return (seen.getOrDefault(w, 0L) + types * lower) / (n + types);
    }

    private void requireOrdinary(int w) {
        if (w < 0 || w >= counts.vocabularySize() || counts.isSpecial(w)) {
            throw new IllegalArgumentException("token id " + w + " is not an ordinary token of the vocabulary");
        }
    }

    /** Summed cross-entropies (nats) of both baselines over scored positions. */
    public static final class Sums {
        public double unigramNats;
        public double neighbourNats;
        public long positions;

        public double unigramMean() {
            return unigramNats / positions;
        }

        public double neighbourMean() {
            return neighbourNats / positions;
        }
    }
}
