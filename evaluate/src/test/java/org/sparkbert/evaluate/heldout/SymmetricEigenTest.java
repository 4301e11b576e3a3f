package org.sparkbert.evaluate.heldout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

    /** A covariance of 40 random 12-dimensional points: U diag(s) U^T gives it back, U is orthonormal, s decreases. */
    @Test
    void decomposesACovarianceIntoOrthonormalVectorsAndDecreasingValues() {
        int n = 40;
        int h = 12;
        SplittableRandom rng = new SplittableRandom(3);
        double[][] x = new double[n][h];
        for (double[] row : x) {
            for (int j = 0; j < h; j++) {
                row[j] = rng.nextDouble() * (j + 1) + (j > 0 ? row[j - 1] : 0);
            }
        }
        double[][] cov = new double[h][h];
        for (double[] row : x) {
            for (int a = 0; a < h; a++) {
                for (int b = 0; b < h; b++) {
                    cov[a][b] += row[a] * row[b] / n;
                }
            }
        }
        SymmetricEigen e = SymmetricEigen.of(cov);
        for (int a = 0; a < h; a++) {
            if (a > 0) {
                assertTrue(e.values[a] <= e.values[a - 1]);
            }
            for (int b = 0; b < h; b++) {
                double rebuilt = 0;
                double dot = 0;
                for (int c = 0; c < h; c++) {
                    rebuilt += e.vectors[a][c] * e.values[c] * e.vectors[b][c];
                    dot += e.vectors[c][a] * e.vectors[c][b];
                }
                assertEquals(cov[a][b], rebuilt, 1e-9 * Math.abs(e.values[0]));
                assertEquals(a == b ? 1 : 0, dot, 1e-12);
            }
        }
    }
}
