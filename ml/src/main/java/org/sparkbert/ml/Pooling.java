package org.sparkbert.ml;

/**
 * How a sequence's encoder outputs become one sentence vector: the mean over its real tokens
 * ([CLS] and [SEP] included, as the zero-shot STS-B evaluation pools), or the [CLS] position's output.
 */
enum Pooling {
    MEAN,
    CLS;

    static Pooling named(String name) {
        return switch (name) {
            case "mean" -> MEAN;
            case "cls" -> CLS;
            default -> throw new IllegalArgumentException("pooling must be 'mean' or 'cls', not '" + name + "'");
        };
    }

    /** The vector of row r of hidden [B, T, H], whose first {@code length} positions are real tokens. */
    double[] pool(float[] hidden, int r, int length, int t, int h) {
        double[] v = new double[h];
        int positions = this == CLS ? 1 : length;
        for (int pos = 0; pos < positions; pos++) {
            int base = (r * t + pos) * h;
            for (int j = 0; j < h; j++) {
                v[j] += hidden[base + j];
            }
        }
        for (int j = 0; j < h; j++) {
            v[j] /= positions;
        }
        return v;
    }
}
