package org.sparkbert.ingest.dedup;

/**
 * Bands and rows for a Jaccard threshold, chosen as datasketch's {@code _optimal_param} (and
 * text-dedup after it) chooses them: over all {@code b * r <= permutations}, minimise
 * {@code w * FP + (1 - w) * FN}, where FP is the area under the candidate probability
 * {@code 1 - (1 - s^r)^b} below the threshold, FN the area above the threshold where it misses, and
 * {@code w} datasketch's {@code false_positive_weight} (its default is 0.5; the stage's is lower, see
 * {@code ingest.dedup.near.false_positive_weight}).
 */
public final class LshParameters {
    public final int bands;
    public final int rows;

    private LshParameters(int bands, int rows) {
        this.bands = bands;
        this.rows = rows;
    }

    public static LshParameters of(int bands, int rows) {
        return new LshParameters(bands, rows);
    }

    public static LshParameters optimal(double threshold, int permutations, double falsePositiveWeight) {
        double best = Double.POSITIVE_INFINITY;
        LshParameters chosen = null;
        for (int b = 1; b <= permutations; b++) {
            for (int r = 1; r <= permutations / b; r++) {
                double error = falsePositiveWeight * falsePositiveArea(threshold, b, r)
                        + (1 - falsePositiveWeight) * falseNegativeArea(threshold, b, r);
                if (error < best) {
                    best = error;
                    chosen = new LshParameters(b, r);
                }
            }
        }
        return chosen;
    }

    static double falsePositiveArea(double t, int b, int r) {
        return integrate(s -> 1 - Math.pow(1 - Math.pow(s, r), b), 0, t);
    }

    static double falseNegativeArea(double t, int b, int r) {
        return integrate(s -> Math.pow(1 - Math.pow(s, r), b), t, 1);
    }

    /** Composite Simpson's rule; the integrands are smooth polynomials, so 1000 panels are plenty. */
    private static double integrate(java.util.function.DoubleUnaryOperator f, double from, double to) {
        int n = 1000;
        double h = (to - from) / n;
        double sum = f.applyAsDouble(from) + f.applyAsDouble(to);
        for (int i = 1; i < n; i++) {
            sum += f.applyAsDouble(from + i * h) * (i % 2 == 0 ? 2 : 4);
        }
        return sum * h / 3;
    }

    @Override
    public String toString() {
        return bands + " bands x " + rows + " rows";
    }
}
