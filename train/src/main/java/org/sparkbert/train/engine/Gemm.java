package org.sparkbert.train.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[M,N] (+)= op(A)[M,K] op(B)[K,N] on flat arrays with leading dimensions, op = identity or
 * transpose. One call computes one output tile single-threaded; callers split the output into tiles
 * across threads. Packing A into MR-row and B into NR-column panels turns all three transpose forms
 * into one register-blocked micro-kernel (MR x NR accumulators, broadcast A, FMA with B vectors).
 * Each output element sums its K terms in the same order whatever the tiling, so results are
 * identical for every thread count.
 */
final class Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 64;
    static final int NC = 256;

    /** Per-thread packing buffers. */
    static final class Scratch {
        final float[] packA = new float[MC * KC];
        final float[] packB = new float[NC * KC];
        final float[] edge = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() { return SCRATCH.get(); }

    /** Computes rows [m0,m1) and columns [n0,n1) of C; the caller's tile must not exceed MC x NC. */
    static void tile(boolean transA, boolean transB, int K,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate,
                     int m0, int m1, int n0, int n1, Scratch s) {
        int mb = m1 - m0, nb = n1 - n0;
        if (K == 0) {
            if (!accumulate) for (int i = m0; i < m1; i++) java.util.Arrays.fill(c, cOff + i * ldc + n0, cOff + i * ldc + n1, 0f);
            return;
        }
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            boolean add = accumulate || k0 > 0;
            packA(transA, a, aOff, lda, m0, mb, k0, kc, s.packA);
            packB(transB, b, bOff, ldb, n0, nb, k0, kc, s.packB);
            for (int jp = 0; jp < nb; jp += NR) {
                int nr = Math.min(NR, nb - jp);
                int bBase = (jp / NR) * kc * NR;
                for (int ip = 0; ip < mb; ip += MR) {
                    int mr = Math.min(MR, mb - ip);
                    int aBase = (ip / MR) * kc * MR;
                    int cAt = cOff + (m0 + ip) * ldc + n0 + jp;
                    if (mr == MR && nr == NR) {
                        kernel(s.packA, aBase, s.packB, bBase, kc, c, cAt, ldc, add);
                    } else {
                        kernel(s.packA, aBase, s.packB, bBase, kc, s.edge, 0, NR, false);
                        storeEdge(s.edge, c, cAt, ldc, mr, nr, add);
                    }
                }
            }
        }
    }

    /** Packs A(m0..m0+mb, k0..k0+kc) into MR-row panels, k-major inside a panel, zero padded. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int m0, int mb, int k0, int kc, float[] dst) {
        for (int ip = 0; ip < mb; ip += MR) {
            int base = (ip / MR) * kc * MR;
            int mr = Math.min(MR, mb - ip);
            if (!transA) {
                for (int r = 0; r < MR; r++) {
                    if (r < mr) {
                        int src = aOff + (m0 + ip + r) * lda + k0;
                        for (int k = 0; k < kc; k++) dst[base + k * MR + r] = a[src + k];
                    } else {
                        for (int k = 0; k < kc; k++) dst[base + k * MR + r] = 0f;
                    }
                }
            } else {
                for (int k = 0; k < kc; k++) {
                    int src = aOff + (k0 + k) * lda + m0 + ip;
                    int d = base + k * MR;
                    for (int r = 0; r < mr; r++) dst[d + r] = a[src + r];
                    for (int r = mr; r < MR; r++) dst[d + r] = 0f;
                }
            }
        }
    }

    /** Packs B(k0..k0+kc, n0..n0+nb) into NR-column panels, k-major inside a panel, zero padded. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int n0, int nb, int k0, int kc, float[] dst) {
        for (int jp = 0; jp < nb; jp += NR) {
            int base = (jp / NR) * kc * NR;
            int nr = Math.min(NR, nb - jp);
            if (!transB) {
                for (int k = 0; k < kc; k++) {
                    int src = bOff + (k0 + k) * ldb + n0 + jp;
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
                        int src = bOff + (n0 + jp + j) * ldb + k0;
                        for (int k = 0; k < kc; k++) dst[base + k * NR + j] = b[src + k];
                    } else {
                        for (int k = 0; k < kc; k++) dst[base + k * NR + j] = 0f;
                    }
                }
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

    /** The MR x NR micro-kernel: 16 vector accumulators over kc rank-1 updates. */
    private static void kernel(float[] ap, int aBase, float[] bp, int bBase, int kc,
                               float[] c, int cAt, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int k = 0; k < kc; k++) {
            int bi = bBase + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            int ai = aBase + k * MR;
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]);     c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + 6]); c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + 7]); c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
        }
        // Stores written out: a vector passed to a method that is not inlined gets boxed on the heap.
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, cAt));               c01 = c01.add(FloatVector.fromArray(S, c, cAt + L));
            c10 = c10.add(FloatVector.fromArray(S, c, cAt + ldc));         c11 = c11.add(FloatVector.fromArray(S, c, cAt + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, cAt + 2 * ldc));     c21 = c21.add(FloatVector.fromArray(S, c, cAt + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, cAt + 3 * ldc));     c31 = c31.add(FloatVector.fromArray(S, c, cAt + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, cAt + 4 * ldc));     c41 = c41.add(FloatVector.fromArray(S, c, cAt + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, cAt + 5 * ldc));     c51 = c51.add(FloatVector.fromArray(S, c, cAt + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(S, c, cAt + 6 * ldc));     c61 = c61.add(FloatVector.fromArray(S, c, cAt + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(S, c, cAt + 7 * ldc));     c71 = c71.add(FloatVector.fromArray(S, c, cAt + 7 * ldc + L));
        }
        c00.intoArray(c, cAt);           c01.intoArray(c, cAt + L);
        c10.intoArray(c, cAt + ldc);     c11.intoArray(c, cAt + ldc + L);
        c20.intoArray(c, cAt + 2 * ldc); c21.intoArray(c, cAt + 2 * ldc + L);
        c30.intoArray(c, cAt + 3 * ldc); c31.intoArray(c, cAt + 3 * ldc + L);
        c40.intoArray(c, cAt + 4 * ldc); c41.intoArray(c, cAt + 4 * ldc + L);
        c50.intoArray(c, cAt + 5 * ldc); c51.intoArray(c, cAt + 5 * ldc + L);
        c60.intoArray(c, cAt + 6 * ldc); c61.intoArray(c, cAt + 6 * ldc + L);
        c70.intoArray(c, cAt + 7 * ldc); c71.intoArray(c, cAt + 7 * ldc + L);
    }

    private Gemm() {}
}
