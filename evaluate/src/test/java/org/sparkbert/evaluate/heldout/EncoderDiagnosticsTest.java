package org.sparkbert.evaluate.heldout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderDiagnosticsTest {
    @Test
    void orthogonalVectorsOfEqualLengthHaveFullEffectiveRankAndNoAnisotropy() {
        // Singular values 1, 1, 1: p = 1/3 each, entropy ln 3, effective rank 3.
        List<float[]> v = List.of(new float[] {1, 0, 0}, new float[] {0, 1, 0}, new float[] {0, 0, 1});
        EncoderDiagnostics d = EncoderDiagnostics.of(v, List.of(0, 1, 2));
        assertEquals(0.0, d.anisotropy(), 1e-12);
        assertEquals(3.0, d.effectiveRank(), 1e-9);
    }

    @Test
    void parallelVectorsHaveRankOneAndCosineOne() {
        List<float[]> v = List.of(new float[] {1, 2, 2}, new float[] {2, 4, 4}, new float[] {-1, -2, -2});
        EncoderDiagnostics d = EncoderDiagnostics.of(v, List.of(0, 1, 2));
        assertEquals((1 - 1 - 1) / 3.0, d.anisotropy(), 1e-12);
        assertEquals(1.0, d.effectiveRank(), 1e-9);
    }

    @Test
    void pairsWithinASentenceAreLeftOutAndSingularValuesWeighTheRank() {
        // Rows (3,0) and (0,4): singular values 3 and 4, p = 3/7, 4/7.
        List<float[]> v = List.of(new float[] {3, 0}, new float[] {0, 4}, new float[] {3, 0});
        // Sentences 0, 0, 1: pairs (0,2) cosine 1 and (1,2) cosine 0; (0,1) is within sentence 0.
        EncoderDiagnostics d = EncoderDiagnostics.of(v, List.of(0, 0, 1));
        assertEquals(0.5, d.anisotropy(), 1e-12);
        // Singular values of [[3,0],[0,4],[3,0]]: sqrt(18) and 4.
        double s1 = Math.sqrt(18), s2 = 4, p1 = s1 / (s1 + s2), p2 = s2 / (s1 + s2);
        assertEquals(Math.exp(-(p1 * Math.log(p1) + p2 * Math.log(p2))), d.effectiveRank(), 1e-9);
    }

    @Test
    void jacobiFindsTheEigenvaluesOfADenseSymmetricMatrix() {
        // [[2,1,0],[1,2,1],[0,1,2]] has eigenvalues 2 - sqrt 2, 2, 2 + sqrt 2.
        double[] e = SymmetricEigen.of(new double[][] {{2, 1, 0}, {1, 2, 1}, {0, 1, 2}}).values;
        java.util.Arrays.sort(e);
        assertEquals(2 - Math.sqrt(2), e[0], 1e-12);
        assertEquals(2, e[1], 1e-12);
        assertEquals(2 + Math.sqrt(2), e[2], 1e-12);
    }
}
