package org.sparkbert.engine.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[M,N] (+)= op(A)[M,K] op(B)[K,N] on flat arrays with leading dimensions, op = identity or
 * transpose. B is packed once per product into NR-column panels (all of K), which turns every
 * transpose form into the same register-blocked micro-kernel (MR x NR accumulators, one broadcast
 * element of A per row, FMA with two B vectors); each task then computes MC rows of C. Each output element sums its K terms in KC blocks in the same order whatever the
 * task split, so results are identical for every thread count.
 */
final class Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 64;

    /** Per-thread buffers: packed A rows, an edge tile, and packed B for single-threaded products. */
    static final class Scratch {
        final float[] packA = new float[MR * KC];
        final float[] edge = new float[MR * NR];
        float[] packB = new float[0];

        float[] packB(int size) {
            if (packB.length < size) packB = new float[size];
            return packB;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /** Floats that packed B of a K x N operand occupies. */
    static int packedSize(int K, int N) {
        return K * panels(N) * NR;
    }

    static int panels(int N) {
        return (N + NR - 1) / NR;
    }

    /**
     * Packs column panel p of op(B) [K,N] for all of K: the KC block starting at k0 lives at
     * k0 * paddedN + p * kc * NR, k-major inside the panel, zero padded past N.
     */
    static void packBPanel(boolean transB, float[] b, int bOff, int ldb, int K, int N, int p, float[] dst) {
        int paddedN = panels(N) * NR;
        int n0 = p * NR, nr = Math.min(NR, N - n0);
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            int base = k0 * paddedN + p * kc * NR;
            if (!transB) {
                for (int k = 0; k < kc; k++) {
                    int src = bOff + (k0 + k) * ldb + n0;
                    int d = base + k * NR;
                    if (nr == NR) {
                        FloatVector.fromArray(S, b, src).intoArray(dst, d);
                        FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
                    } else {
                        for (int j = 0; j < nr; j++) dst[d + j] = b[src + j];
                        for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                    }
                }
            } else {
                for (int j = 0; j < NR; j++) {
                    if (j < nr) {
                        int src = bOff + (n0 + j) * ldb + k0;
                        for (int k = 0; k < kc; k++) dst[base + k * NR + j] = b[src + k];
                    } else {
                        for (int k = 0; k < kc; k++) dst[base + k * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Computes rows [m0,m1) (at most MC) of C for all N columns from packed B. Full MR-row panels of
     * A are read in place (row stride rs, k stride cs: the kernel broadcasts one element per row, so
     * either layout streams well); only a ragged last panel is copied, zero padded.
     */
    static void rows(
            boolean transA,
            int K,
            int N,
            float[] a,
            int aOff,
            int lda,
            float[] packedB,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate,
            int m0,
            int m1,
            Scratch s) {
        int mb = m1 - m0, paddedN = panels(N) * NR;
        if (K == 0) {
            if (!accumulate)
                for (int i = m0; i < m1; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + N, 0f);
            return;
        }
        int rs = transA ? 1 : lda, cs = transA ? lda : 1;
        int fullRows = mb - mb % MR;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            boolean add = accumulate || k0 > 0;
            if (fullRows < mb) packA(transA, a, aOff, lda, m0 + fullRows, mb - fullRows, k0, kc, s.packA);
            for (int jp = 0; jp < N; jp += NR) {
                int nr = Math.min(NR, N - jp);
                int bBase = k0 * paddedN + (jp / NR) * kc * NR;
                for (int ip = 0; ip < mb; ip += MR) {
                    int mr = Math.min(MR, mb - ip);
                    int cAt = cOff + (m0 + ip) * ldc + jp;
                    float[] ap = mr == MR ? a : s.packA;
                    int aBase = mr == MR ? aOff + (m0 + ip) * rs + k0 * cs : 0;
                    int ars = mr == MR ? rs : 1, acs = mr == MR ? cs : MR;
                    if (mr == MR && nr == NR) {
                        kernel(ap, aBase, ars, acs, packedB, bBase, kc, c, cAt, ldc, add);
                    } else {
                        kernel(ap, aBase, ars, acs, packedB, bBase, kc, s.edge, 0, NR, false);
                        storeEdge(s.edge, c, cAt, ldc, mr, nr, add);
                    }
                }
            }
        }
    }

    /** A whole product on the calling thread (used inside a task, e.g. one attention head). */
    static void multiply(
            boolean transA,
            boolean transB,
            int M,
            int N,
            int K,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate,
            Scratch s) {
        float[] packed = s.packB(packedSize(K, N));
        for (int p = 0; p < panels(N); p++) packBPanel(transB, b, bOff, ldb, K, N, p, packed);
        for (int m0 = 0; m0 < M; m0 += MC)
            rows(transA, K, N, a, aOff, lda, packed, c, cOff, ldc, accumulate, m0, Math.min(M, m0 + MC), s);
    }

    /** Packs the ragged rows A(m0..m0+mr, k0..k0+kc), mr < MR, k-major and zero padded to MR rows. */
    private static void packA(
            boolean transA, float[] a, int aOff, int lda, int m0, int mr, int k0, int kc, float[] dst) {
        for (int k = 0; k < kc; k++) {
            for (int r = 0; r < MR; r++) {
                dst[k * MR + r] =
                        r >= mr ? 0f : transA ? a[aOff + (k0 + k) * lda + m0 + r] : a[aOff + (m0 + r) * lda + k0 + k];
            }
        }
    }

    private static void storeEdge(float[] edge, float[] c, int cAt, int ldc, int mr, int nr, boolean add) {
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                int at = cAt + r * ldc + j;
                c[at] = add ? c[at] + edge[r * NR + j] : edge[r * NR + j];
            }
        }
    }

    /** The MR x NR micro-kernel: 16 vector accumulators over kc rank-1 updates; A(r, k) = ap[aBase + r rs + k cs]. */
    private static void kernel(
            float[] ap,
            int aBase,
            int rs,
            int cs,
            float[] bp,
            int bBase,
            int kc,
            float[] c,
            int cAt,
            int ldc,
            boolean add) {
        int r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int k = 0; k < kc; k++) {
            int bi = bBase + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            int ai = aBase + k * cs;
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + r1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + r2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + r3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + r4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + r5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + r6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + r7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        // Stores written out: a vector passed to a method that is not inlined gets boxed on the heap.
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, cAt));
            c01 = c01.add(FloatVector.fromArray(S, c, cAt + L));
            c10 = c10.add(FloatVector.fromArray(S, c, cAt + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, cAt + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, cAt + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, cAt + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, cAt + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, cAt + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, cAt + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, cAt + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, cAt + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, cAt + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(S, c, cAt + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, cAt + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(S, c, cAt + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, cAt + 7 * ldc + L));
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, cAt + ldc);
        c11.intoArray(c, cAt + ldc + L);
        c20.intoArray(c, cAt + 2 * ldc);
        c21.intoArray(c, cAt + 2 * ldc + L);
        c30.intoArray(c, cAt + 3 * ldc);
        c31.intoArray(c, cAt + 3 * ldc + L);
        c40.intoArray(c, cAt + 4 * ldc);
        c41.intoArray(c, cAt + 4 * ldc + L);
        c50.intoArray(c, cAt + 5 * ldc);
        c51.intoArray(c, cAt + 5 * ldc + L);
        c60.intoArray(c, cAt + 6 * ldc);
        c61.intoArray(c, cAt + 6 * ldc + L);
        c70.intoArray(c, cAt + 7 * ldc);
        c71.intoArray(c, cAt + 7 * ldc + L);
    }

    private Gemm() {}
}
