package org.sparkbert.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The blocked GEMM against a double-precision triple loop, in all transpose forms and edge sizes. */
class GemmTest {

    /** Sizes that cross every blocking boundary (MR, NR, MC, NC, KC) and leave ragged edges. */
    private static final int[][] SHAPES = {{1, 1, 1}, {7, 33, 5}, {65, 257, 300}, {130, 40, 513}, {8, 32, 256}};

    @Test
    void allFormsMatchDoubleReference() {
        Random random = new Random(11);
        try (CpuBackend be = new CpuBackend(2)) {
            be.allocate(1 << 21, 1);
            float[] f = be.floats();
            for (int[] shape : SHAPES) {
                int M = shape[0], N = shape[1], K = shape[2];
                for (int form = 0; form < 4; form++) {
                    boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                    int a = 0, b = M * K, c = b + K * N;
                    for (int i = 0; i < c + M * N; i++) f[i] = (float) random.nextGaussian();
                    float[] before = new float[M * N];
                    System.arraycopy(f, c, before, 0, M * N);
                    boolean accumulate = form == 2;
                    be.gemm(ta, tb, M, N, K, a, ta ? M : K, b, tb ? K : N, c, N, accumulate);
                    double err2 = 0, ref2 = 0;
                    for (int i = 0; i < M; i++) {
                        for (int j = 0; j < N; j++) {
                            double s = accumulate ? before[i * N + j] : 0;
                            for (int k = 0; k < K; k++) {
                                double x = ta ? f[a + k * M + i] : f[a + i * K + k];
                                double y = tb ? f[b + j * K + k] : f[b + k * N + j];
                                s += x * y;
                            }
                            err2 += (s - f[c + i * N + j]) * (s - f[c + i * N + j]);
                            ref2 += s * s;
                        }
                    }
                    double rel = Math.sqrt(err2 / ref2);
                    assertTrue(rel < 1e-6, "gemm " + M + "x" + N + "x" + K + " ta=" + ta + " tb=" + tb + ": " + rel);
                }
            }
        }
    }

    @Test
    void resultDoesNotDependOnThreadCount() {
        int M = 200, N = 300, K = 600;
        float[] one = product(1, M, N, K), three = product(3, M, N, K);
        assertArrayEquals(one, three);
    }

    private static float[] product(int threads, int M, int N, int K) {
        Random random = new Random(5);
        try (CpuBackend be = new CpuBackend(threads)) {
            be.allocate(M * K + K * N + M * N, 1);
            float[] f = be.floats();
            for (int i = 0; i < M * K + K * N; i++) f[i] = (float) random.nextGaussian();
            be.linearForward(M * K + K * N, 0, M * K, -1, M, N, K);
            float[] out = new float[M * N];
            be.read(M * K + K * N, out, 0, M * N);
            return out;
        }
    }
}
