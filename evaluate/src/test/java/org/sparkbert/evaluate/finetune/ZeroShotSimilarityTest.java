package org.sparkbert.evaluate.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZeroShotSimilarityTest {

    /** Whitened vectors have mean 0 and the identity as covariance (divided by n), whatever the input's correlations. */
    @Test
    void whitenedVectorsHaveIdentityCovariance() {
        int n = 300;
        int h = 6;
        SplittableRandom random = new SplittableRandom(4);
        double[][] mixing = new double[h][h];
        for (double[] row : mixing) {
            for (int j = 0; j < h; j++) {
                row[j] = random.nextGaussian();
            }
        }
        double[][] vectors = new double[n][h];
        for (double[] v : vectors) {
            double[] z = new double[h];
            for (int j = 0; j < h; j++) {
                z[j] = random.nextGaussian();
            }
            for (int a = 0; a < h; a++) {
                v[a] = 3.0 + a;
                for (int j = 0; j < h; j++) {
                    v[a] += mixing[a][j] * z[j];
                }
            }
        }
        double[][] white = ZeroShotSimilarity.whiten(vectors);
        for (int a = 0; a < h; a++) {
            double mean = 0;
            for (double[] w : white) {
                mean += w[a] / n;
            }
            assertEquals(0, mean, 1e-9);
            for (int c = 0; c < h; c++) {
                double cov = 0;
                for (double[] w : white) {
                    cov += w[a] * w[c] / n;
                }
                assertEquals(a == c ? 1 : 0, cov, 1e-9, "covariance[" + a + "][" + c + "]");
            }
        }
    }

    @Test
    void cosineOfKnownVectors() {
        assertEquals(0.5, ZeroShotSimilarity.cosine(new double[] {1, 0}, new double[] {1, Math.sqrt(3)}), 1e-12);
        assertEquals(-1, ZeroShotSimilarity.cosine(new double[] {2, 2}, new double[] {-1, -1}), 1e-12);
    }

    @Test
    void fewerVectorsThanDimensionsCannotBeWhitened() {
        double[][] vectors = {{1, 2, 3}, {2, 3, 5}};
        assertThrows(IllegalArgumentException.class, () -> ZeroShotSimilarity.whiten(vectors));
    }
}
