package org.sparkbert.tokenize.heldout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The baselines on a toy corpus worked out by hand. Ids: 0 [CLS], 1 [SEP], 2 a, 3 b, 4 c (V = 3
 * ordinary tokens). Training: [CLS] a b a [SEP] and [CLS] a b c [SEP]; the counted events (l, w, r) are
 * (C,a,b) (a,b,a) (b,a,S) (C,a,b) (a,b,c) (b,c,S), so c(a) = 3, c(b) = 2, c(c) = 1, N = 6 and the
 * add-one unigram is a 4/9, b 3/9, c 2/9.
 */
class CountBaselinesTest {
    private static final int CLS = 0, SEP = 1, A = 2, B = 3, C = 4;
    private static final double EPS = 1e-12;

    private static NeighbourCounts toyCounts() {
        return new NeighbourCounts(5, new int[] {CLS, SEP}, null, null, null)
                .add(new int[] {CLS, A, B, A, SEP})
                .add(new int[] {CLS, A, B, C, SEP});
    }

    @Test
    void unigramIsAddOneOverTheOrdinaryTokens() {
        CountBaselines m = new CountBaselines(toyCounts());
        assertEquals(4.0 / 9, m.unigram(A), EPS);
        assertEquals(3.0 / 9, m.unigram(B), EPS);
        assertEquals(2.0 / 9, m.unigram(C), EPS);
        assertThrows(IllegalArgumentException.class, () -> m.unigram(CLS));
    }

    @Test
    void twoNeighbourModelInterpolatesWittenBellByHand() {
        CountBaselines m = new CountBaselines(toyCounts());
        // (a, _, c) saw b once, one type, over the back-off (P(b | l=a) + P(b | r=c)) / 2, where l=a saw
        // b twice, one type: (2 + 1 x 3/9) / (2 + 1) = 7/9, and r=c saw b once: (1 + 3/9) / 2 = 2/3; the
        // back-off is 13/18 and P = (1 + 13/18) / (1 + 1) = 31/36.
        assertEquals(31.0 / 36, m.neighbours(A, B, C), EPS);
        // ([CLS], _, b) saw a twice, one type, over the back-off (22/27 + 22/27) / 2: (2 + 22/27) / 3 = 76/81.
        assertEquals(76.0 / 81, m.neighbours(CLS, A, B), EPS);
        // l=c never seen: 2/9; r=c saw only b: (0 + 2/9) / 2 = 1/9; the mean 1/6.
        assertEquals(1.0 / 6, m.neighbours(C, C, C), EPS);
    }

    @Test
    void theModelIsADistributionOverTheOrdinaryTokens() {
        CountBaselines m = new CountBaselines(toyCounts());
        for (int[] context : new int[][] {{A, C}, {CLS, B}, {C, C}, {B, SEP}, {CLS, SEP}}) {
            double sum = 0;
            for (int w = A; w <= C; w++) {
                sum += m.neighbours(context[0], w, context[1]);
            }
            assertEquals(1.0, sum, 1e-12);
        }
    }

    @Test
    void crossEntropyOnMaskedValidationPositionsInNats() {
        CountBaselines m = new CountBaselines(toyCounts());
        CountBaselines.Sums sums = new CountBaselines.Sums();
        int mask = SEP + 100; // the neighbours are read as they are: here ordinary ids of the corrupted input
        m.score(new int[] {CLS, A, mask, C, SEP}, 2, B, sums);
        m.score(new int[] {CLS, mask, B, C, SEP}, 1, A, sums);
        m.score(new int[] {CLS, C, C, C, SEP}, 2, C, sums);
        assertEquals(3, sums.positions);
        assertEquals(-(Math.log(3.0 / 9) + Math.log(4.0 / 9) + Math.log(2.0 / 9)) / 3, sums.unigramMean(), EPS);
        assertEquals(-(Math.log(31.0 / 36) + Math.log(76.0 / 81) + Math.log(1.0 / 6)) / 3, sums.neighbourMean(), EPS);
    }

    @Test
    void restrictedAndMergedCountsGiveTheSameProbabilities() {
        NeighbourCounts part1 = new NeighbourCounts(
                        5,
                        new int[] {CLS, SEP},
                        Set.of(NeighbourCounts.pair(A, C), NeighbourCounts.pair(CLS, B)),
                        Set.of(A, CLS),
                        Set.of(C, B))
                .add(new int[] {CLS, A, B, A, SEP});
        NeighbourCounts part2 = new NeighbourCounts(
                        5,
                        new int[] {CLS, SEP},
                        Set.of(NeighbourCounts.pair(A, C), NeighbourCounts.pair(CLS, B)),
                        Set.of(A, CLS),
                        Set.of(C, B))
                .add(new int[] {CLS, A, B, C, SEP});
        CountBaselines m = new CountBaselines(part1.merge(part2));
        assertEquals(31.0 / 36, m.neighbours(A, B, C), EPS);
        assertEquals(76.0 / 81, m.neighbours(CLS, A, B), EPS);
        assertEquals(3.0 / 9, m.unigram(B), EPS);
    }
}
