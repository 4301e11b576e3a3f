package org.sparkbert.evaluate.heldout;

import java.util.List;

/**
 * Two figures of how an encoder spreads its token vectors, from a sample of final hidden states:
 * <ul>
 *   <li>anisotropy: the mean cosine between vectors of different sentences (Ethayarajh 2019). Near 1,
 *   every token points the same way and the vectors carry little beyond a common direction;</li>
 *   <li>effective rank (Roy and Vetterli 2007): exp of the entropy of the normalised singular values of
 *   the sample matrix (uncentred), between 1 and the hidden size: how many directions the vectors use.</li>
 * </ul>
 */
public record EncoderDiagnostics(double anisotropy, double effectiveRank, int vectors) {

    /** @param sequences the sentence each vector came from; pairs within one sentence are left out of the mean cosine */
    public static EncoderDiagnostics of(List<float[]> vectors, List<Integer> sequences) {
        if (vectors.size() < 2) {
            throw new IllegalArgumentException(
                    "the encoder diagnostics need at least two vectors, not " + vectors.size());
        }
        return new EncoderDiagnostics(anisotropy(vectors, sequences), effectiveRank(vectors), vectors.size());
    }

    static double anisotropy(List<float[]> vectors, List<Integer> sequences) {
        int n = vectors.size();
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(dot(vectors.get(i), vectors.get(i)));
        }
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (!sequences.get(i).equals(sequences.get(j)) && norms[i] > 0 && norms[j] > 0) {
                    sum += dot(vectors.get(i), vectors.get(j)) / (norms[i] * norms[j]);
                    pairs++;
                }
            }
        }
        if (pairs == 0) {
            throw new IllegalArgumentException("the sample holds no two vectors of different sentences");
        }
        return sum / pairs;
    }

    /** From the eigenvalues of the Gram matrix X^T X, whose square roots are X's singular values. */
    static double effectiveRank(List<float[]> vectors) {
        int h = vectors.get(0).length;
        double[][] gram = new double[h][h];
        for (float[] v : vectors) {
            for (int a = 0; a < h; a++) {
                for (int b = a; b < h; b++) {
                    gram[a][b] += (double) v[a] * v[b];
                }
            }
        }
        for (int a = 0; a < h; a++) {
            for (int b = 0; b < a; b++) {
                gram[a][b] = gram[b][a];
            }
        }
        double[] eigen = SymmetricEigen.of(gram).values;
        double total = 0;
        double[] sigma = new double[h];
        for (int i = 0; i < h; i++) {
            sigma[i] = Math.sqrt(Math.max(0, eigen[i]));
            total += sigma[i];
        }
        double entropy = 0;
        for (double s : sigma) {
            if (s > 0) {
                double p = s / total;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    private static double dot(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }
}
