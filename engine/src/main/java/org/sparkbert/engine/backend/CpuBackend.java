package org.sparkbert.engine.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The plain-Java backend: both arenas are Java arrays, every operation is split into tasks that each
 * own a fixed range of the output (row blocks, column blocks, GEMM tiles, attention heads), and every
 * sum runs in an order fixed by the shapes alone, so results are bit-for-bit the same run to run and
 * for any thread count.
 */
final class CpuBackend implements Backend {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Int lanes matching the float lanes, for the dropout hash. */
    private static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());

    private static final IntVector IOTA =
            IntVector.fromArray(SI, java.util.stream.IntStream.range(0, L).toArray(), 0);
    /** Elements per task for element-wise work: large enough to hide the hand-off. */
    private static final int CHUNK = 16384;
    /** Columns per task when reducing over rows (bias and LayerNorm parameter gradients). */
    private static final int COLS = 64;

    private final WorkerPool pool;
    private float[] f;
    private int[] ints;

    CpuBackend(int threads) {
        this.pool = new WorkerPool(threads);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    @Override
    public void allocate(int floats, int intCount) {
        if (f != null) throw new IllegalStateException("the cpu backend's arenas are already allocated");
        f = new float[floats];
        ints = new int[intCount];
    }

    /** The float arena itself, for tests and benchmarks on this backend. */
    float[] floats() {
        return f;
    }

    // ---------------------------------------------------------------- data movement

    @Override
    public void write(int off, float[] src, int srcOff, int n) {
        System.arraycopy(src, srcOff, f, off, n);
    }

    @Override
    public void read(int off, float[] dst, int dstOff, int n) {
        System.arraycopy(f, off, dst, dstOff, n);
    }

    @Override
    public void writeInts(int off, int[] src, int srcOff, int n) {
        System.arraycopy(src, srcOff, ints, off, n);
    }

    @Override
    public void readInts(int off, int[] dst, int dstOff, int n) {
        System.arraycopy(ints, off, dst, dstOff, n);
    }

    @Override
    public void fill(int off, int n, float value) {
        chunks(n, CHUNK, (i0, i1) -> java.util.Arrays.fill(f, off + i0, off + i1, value));
    }

    @Override
    public void copy(int dst, int src, int n) {
        System.arraycopy(f, src, f, dst, n);
    }

    // ---------------------------------------------------------------- GEMM

    /** Packed B of the current product, shared by all its tasks (one product runs at a time). */
    private float[] packedB = new float[0];

    @Override
    public void gemm(
            boolean transA,
            boolean transB,
            int M,
            int N,
            int K,
            int a,
            int lda,
            int b,
            int ldb,
            int c,
            int ldc,
            boolean accumulate) {
        product(transA, transB, M, N, K, a, lda, b, ldb, c, ldc, accumulate, -1);
    }

    @Override
    public void linearForward(int out, int inp, int w, int bias, int M, int N, int K) {
        product(false, true, M, N, K, inp, K, w, K, out, N, bias >= 0, bias);
    }

    /** Packs B across the pool, then splits C into MC-row blocks; bias >= 0 first fills each row with it. */
    private void product(
            boolean transA,
            boolean transB,
            int M,
            int N,
            int K,
            int a,
            int lda,
            int b,
            int ldb,
            int c,
            int ldc,
            boolean accumulate,
            int bias) {
        int size = Gemm.packedSize(K, N);
        if (packedB.length < size) packedB = new float[size];
        float[] packed = packedB;
        pool.run(Gemm.panels(N), p -> Gemm.packBPanel(transB, f, b, ldb, K, N, p, packed));
        pool.run(ceilDiv(M, Gemm.MC), task -> {
            int m0 = task * Gemm.MC, m1 = Math.min(M, m0 + Gemm.MC);
            if (bias >= 0) {
                for (int i = m0; i < m1; i++) System.arraycopy(f, bias, f, c + i * ldc, N);
            }
            Gemm.rows(transA, K, N, f, a, lda, packed, f, c, ldc, accumulate, m0, m1, Gemm.scratch());
        });
    }

    @Override
    public void linearBackward(int dinp, int dw, int dbias, int dout, int inp, int w, int M, int N, int K) {
        if (dinp >= 0) gemm(false, false, M, K, N, dout, N, w, K, dinp, K, true);
        gemm(true, false, N, K, M, dout, N, inp, K, dw, K, true);
        if (dbias >= 0) columnSums(dbias, dout, M, N);
    }

    /** dst[N] += sum over rows of src[M,N]; each task owns COLS columns and walks rows in order. */
    private void columnSums(int dst, int src, int M, int N) {
        pool.run(ceilDiv(N, COLS), task -> {
            int j0 = task * COLS, j1 = Math.min(N, j0 + COLS);
            float[] acc = COLUMN_SCRATCH.get()[0];
            java.util.Arrays.fill(acc, 0, j1 - j0, 0f);
            for (int i = 0; i < M; i++) {
                int row = src + i * N;
                for (int j = j0; j < j1; j++) acc[j - j0] += f[row + j];
            }
            for (int j = j0; j < j1; j++) f[dst + j] += acc[j - j0];
        });
    }

    // ---------------------------------------------------------------- embeddings and gathers

    @Override
    public void embeddingForward(int out, int ids, int types, int wte, int wpe, int wtt, int B, int T, int C) {
        chunks(B * T, 64, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = out + r * C;
                int e = wte + ints[ids + r] * C, y = wtt + ints[types + r] * C;
                for (int c = 0; c < C; c++) f[o + c] = f[e + c] + f[y + c];
                if (wpe >= 0) {
                    int p = wpe + (r % T) * C;
                    for (int c = 0; c < C; c++) f[o + c] += f[p + c];
                }
            }
        });
    }

    @Override
    public void embeddingBackward(int dwte, int dwpe, int dwtt, int dout, int ids, int types, int B, int T, int C) {
        pool.run(ceilDiv(C, COLS), task -> {
            int c0 = task * COLS, c1 = Math.min(C, c0 + COLS);
            for (int r = 0; r < B * T; r++) {
                int d = dout + r * C;
                int e = dwte + ints[ids + r] * C, p = dwpe + (r % T) * C, y = dwtt + ints[types + r] * C;
                for (int c = c0; c < c1; c++) {
                    float g = f[d + c];
                    f[e + c] += g;
                    if (dwpe >= 0) f[p + c] += g;
                    f[y + c] += g;
                }
            }
        });
    }

    @Override
    public void gatherRows(int out, int in, int rows, int n, int C) {
        chunks(n, 64, (i0, i1) -> {
            for (int i = i0; i < i1; i++) System.arraycopy(f, in + ints[rows + i] * C, f, out + i * C, C);
        });
    }

    @Override
    public void scatterAddRows(int din, int dout, int rows, int n, int C) {
        chunks(n, 64, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int d = din + ints[rows + i] * C, s = dout + i * C;
                for (int c = 0; c < C; c++) f[d + c] += f[s + c];
            }
        });
    }

    // ---------------------------------------------------------------- LayerNorm

    @Override
    public void layerNormForward(int out, int mean, int rstd, int inp, int w, int b, int N, int C, float eps) {
        chunks(N, 32, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int x = inp + r * C;
                float m = sum(f, x, C) / C;
                float v = sumSquaredDeviation(f, x, C, m) / C;
                float s = (float) (1.0 / Math.sqrt(v + eps));
                int o = out + r * C;
                for (int c = 0; c < C; c++) f[o + c] = (f[x + c] - m) * s * f[w + c] + f[b + c];
                f[mean + r] = m;
                f[rstd + r] = s;
            }
        });
    }

    @Override
    public void layerNormBackward(
            int dinp, int dw, int db, int dout, int inp, int w, int mean, int rstd, int N, int C) {
        chunks(N, 32, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int x = inp + r * C, d = dout + r * C, di = dinp + r * C;
                float m = f[mean + r], s = f[rstd + r];
                float dnormMean = 0f, dnormNormMean = 0f;
                for (int c = 0; c < C; c++) {
                    float dnorm = f[w + c] * f[d + c];
                    dnormMean += dnorm;
                    dnormNormMean += dnorm * (f[x + c] - m) * s;
                }
                dnormMean /= C;
                dnormNormMean /= C;
                for (int c = 0; c < C; c++) {
                    float norm = (f[x + c] - m) * s;
                    f[di + c] += (f[w + c] * f[d + c] - dnormMean - norm * dnormNormMean) * s;
                }
            }
        });
        pool.run(ceilDiv(C, COLS), task -> {
            int c0 = task * COLS, c1 = Math.min(C, c0 + COLS);
            float[][] scratch = COLUMN_SCRATCH.get();
            float[] gw = scratch[0], gb = scratch[1];
            java.util.Arrays.fill(gw, 0, c1 - c0, 0f);
            java.util.Arrays.fill(gb, 0, c1 - c0, 0f);
            for (int r = 0; r < N; r++) {
                int x = inp + r * C, d = dout + r * C;
                float m = f[mean + r], s = f[rstd + r];
                for (int c = c0; c < c1; c++) {
                    gw[c - c0] += (f[x + c] - m) * s * f[d + c];
                    gb[c - c0] += f[d + c];
                }
            }
            for (int c = c0; c < c1; c++) {
                f[dw + c] += gw[c - c0];
                f[db + c] += gb[c - c0];
            }
        });
    }

    // ---------------------------------------------------------------- element-wise

    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    @Override
    public void geluForward(int out, int inp, int n) {
        chunks(n, CHUNK, (i0, i1) -> {
            int i = i0;
            for (; i + L <= i1; i += L) {
                FloatVector x = FloatVector.fromArray(S, f, inp + i);
                FloatVector u = x.mul(INV_SQRT2);
                FloatVector e = FastMath.exp(u.mul(u).neg());
                FloatVector erf = FastMath.erf(u, e);
                x.mul(0.5f).mul(erf.add(1f)).intoArray(f, out + i);
            }
            for (; i < i1; i++) {
                float x = f[inp + i];
                float u = x * INV_SQRT2;
                float erf = FastMath.erf(u, FastMath.exp(-(u * u)));
                f[out + i] = x * 0.5f * (erf + 1f);
            }
        });
    }

    @Override
    public void geluBackward(int dinp, int inp, int dout, int n) {
        chunks(n, CHUNK, (i0, i1) -> {
            int i = i0;
            for (; i + L <= i1; i += L) {
                FloatVector x = FloatVector.fromArray(S, f, inp + i);
                FloatVector u = x.mul(INV_SQRT2);
                FloatVector e = FastMath.exp(u.mul(u).neg());
                FloatVector erf = FastMath.erf(u, e);
                FloatVector grad = erf.add(1f).mul(0.5f).add(x.mul(INV_SQRT_2PI).mul(e));
                FloatVector d = FloatVector.fromArray(S, f, dinp + i);
                d.add(grad.mul(FloatVector.fromArray(S, f, dout + i))).intoArray(f, dinp + i);
            }
            for (; i < i1; i++) {
                float x = f[inp + i];
                float u = x * INV_SQRT2;
                float e = FastMath.exp(-(u * u));
                float erf = FastMath.erf(u, e);
                float grad = (erf + 1f) * 0.5f + x * INV_SQRT_2PI * e;
                f[dinp + i] = f[dinp + i] + grad * f[dout + i];
            }
        });
    }

    @Override
    public void tanhForward(int out, int inp, int n) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) f[out + i] = (float) Math.tanh(f[inp + i]);
        });
    }

    @Override
    public void tanhBackward(int dinp, int out, int dout, int n) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float y = f[out + i];
                f[dinp + i] += f[dout + i] * (1f - y * y);
            }
        });
    }

    @Override
    public void dropoutForward(int out, int inp, int n, float p, int key, int firstSequence, int perSequence) {
        chunks(
                n,
                CHUNK,
                (i0, i1) -> bySequence(
                        i0,
                        i1,
                        key,
                        firstSequence,
                        perSequence,
                        (i, m, k, e) -> dropAdd(f, inp + i, null, 0, f, out + i, m, k, e, p)));
    }

    @Override
    public void dropoutBackward(int dinp, int dout, int n, float p, int key, int firstSequence, int perSequence) {
        chunks(
                n,
                CHUNK,
                (i0, i1) -> bySequence(
                        i0,
                        i1,
                        key,
                        firstSequence,
                        perSequence,
                        (i, m, k, e) -> dropAdd(f, dout + i, f, dinp + i, f, dinp + i, m, k, e, p)));
    }

    @Override
    public void residualForward(int out, int x, int y, int n, float p, int key, int firstSequence, int perSequence) {
        chunks(
                n,
                CHUNK,
                (i0, i1) -> bySequence(
                        i0,
                        i1,
                        key,
                        firstSequence,
                        perSequence,
                        (i, m, k, e) -> dropAdd(f, y + i, f, x + i, f, out + i, m, k, e, p)));
    }

    @Override
    public void residualBackward(
            int dx, int dy, int dout, int n, float p, int key, int firstSequence, int perSequence) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) f[dx + i] += f[dout + i];
            bySequence(
                    i0,
                    i1,
                    key,
                    firstSequence,
                    perSequence,
                    (i, m, k, e) -> dropAdd(f, dout + i, f, dy + i, f, dy + i, m, k, e, p));
        });
    }

    /** A run of m elements from buffer index i, all of one sequence: its key, and i's index within it. */
    private interface SequencePiece {
        void run(int i, int m, int sequenceKey, int index0);
    }

    /** Splits elements [i0, i1) of a buffer of perSequence-element sequences at the sequence boundaries. */
    private static void bySequence(int i0, int i1, int key, int firstSequence, int perSequence, SequencePiece piece) {
        for (int i = i0; i < i1; ) {
            int sequence = i / perSequence, index0 = i - sequence * perSequence;
            int end = Math.min(i1, i - index0 + perSequence);
            piece.run(i, end - i, CounterRng.sequenceKey(key, firstSequence + sequence), index0);
            i = end;
        }
    }

    /**
     * dst[d+i] = base[b+i] (0 when base is null) + dropout(src[s+i]) for i < n, the mask drawn for
     * counter index0 + i. Vector lanes and the scalar tail make the same integer comparison.
     */
    private static void dropAdd(
            float[] src, int s, float[] base, int b, float[] dst, int d, int n, int key, int index0, float p) {
        if (p == 0f) {
            for (int i = 0; i < n; i++) dst[d + i] = (base == null ? 0f : base[b + i]) + src[s + i];
            return;
        }
        float scale = 1f / (1f - p);
        int threshold = CounterRng.keepThreshold(p);
        int i = 0;
        for (; i + L <= n; i += L) {
            VectorMask<Float> keep = bits24(key, index0 + i)
                    .compare(VectorOperators.GE, threshold)
                    .cast(S);
            FloatVector v = FloatVector.fromArray(S, src, s + i).mul(scale);
            v = FloatVector.zero(S).blend(v, keep);
            if (base != null) v = FloatVector.fromArray(S, base, b + i).add(v);
            v.intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            float v = CounterRng.bits24(key, index0 + i) >= threshold ? src[s + i] * scale : 0f;
            dst[d + i] = (base == null ? 0f : base[b + i]) + v;
        }
    }

    /** {@link CounterRng#bits24} for L consecutive counters, lane by lane the same integer arithmetic. */
    private static IntVector bits24(int key, int index0) {
        IntVector h = IOTA.add(index0).mul(0x9E3779B9).add(key);
        h = mix32(h);
        h = mix32(h.lanewise(VectorOperators.XOR, key));
        return h.lanewise(VectorOperators.LSHR, 8);
    }

    private static IntVector mix32(IntVector x) {
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
        x = x.mul(0x7feb352d);
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 15));
        x = x.mul(0x846ca68b);
        return x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
    }

    // ---------------------------------------------------------------- attention

    /** Per-thread column accumulators, so that reductions allocate nothing in the step. */
    private static final ThreadLocal<float[][]> COLUMN_SCRATCH = ThreadLocal.withInitial(() -> new float[2][COLS]);

    private static final ThreadLocal<float[][]> ATT_SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] attentionScratch(int size) {
        float[][] holder = ATT_SCRATCH.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    @Override
    public void attentionForward(
            int out,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence,
            int bias) {
        int C = NH * D, C3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(D));
        pool.run(B * NH, task -> {
            int b = task / NH, h = task % NH;
            int q = qkv + b * T * C3 + h * D, k = q + C, v = q + 2 * C;
            int a = att + task * T * T, ad = attDrop + task * T * T;
            Gemm.Scratch s = Gemm.scratch();
            Gemm.multiply(false, true, T, T, D, f, q, C3, f, k, C3, f, a, T, false, s);
            if (bias >= 0) {
                for (int i = 0, bi = bias + task * T * T; i < T * T; i++) f[a + i] += f[bi + i];
            }
            for (int t = 0; t < T; t++) softmaxRow(a + t * T, mask + b * T, T, scale);
            if (p != 0f)
                dropAdd(f, a, null, 0, f, ad, T * T, CounterRng.sequenceKey(key, firstSequence + b), h * T * T, p);
            Gemm.multiply(
                    false, false, T, D, T, f, p != 0f ? ad : a, T, f, v, C3, f, out + b * T * C + h * D, C, false, s);
        });
    }

    /** Softmax of scale * row over the keys whose mask is non-zero, in place; masked keys get 0. */
    private void softmaxRow(int row, int mask, int T, float scale) {
        FloatVector lanesMax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + L <= T; j += L) {
            VectorMask<Float> real = keys(mask + j);
            lanesMax = lanesMax.max(FloatVector.fromArray(S, f, row + j).blend(Float.NEGATIVE_INFINITY, real.not()));
        }
        float max = lanesMax.reduceLanes(VectorOperators.MAX); // exact in any order
        for (int t = j; t < T; t++) if (ints[mask + t] != 0 && f[row + t] > max) max = f[row + t];
        FloatVector lanesSum = FloatVector.zero(S);
        for (j = 0; j + L <= T; j += L) {
            FloatVector e =
                    FastMath.exp(FloatVector.fromArray(S, f, row + j).sub(max).mul(scale));
            e = FloatVector.zero(S).blend(e, keys(mask + j));
            e.intoArray(f, row + j);
            lanesSum = lanesSum.add(e);
        }
        float sum = lanesInOrder(lanesSum);
        for (int t = j; t < T; t++) {
            float e = ints[mask + t] != 0 ? FastMath.exp((f[row + t] - max) * scale) : 0f;
            f[row + t] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int t = 0; t < T; t++) f[row + t] *= inv;
    }

    /** Lanes whose attention-mask entry is non-zero. */
    private VectorMask<Float> keys(int mask) {
        return IntVector.fromArray(SI, ints, mask)
                .compare(VectorOperators.NE, 0)
                .cast(S);
    }

    @Override
    public void attentionBackward(
            int dqkv,
            int dout,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence,
            int dbias) {
        int C = NH * D, C3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(D));
        pool.run(B * NH, task -> {
            int b = task / NH, h = task % NH;
            int q = qkv + b * T * C3 + h * D, k = q + C, v = q + 2 * C;
            int dq = dqkv + b * T * C3 + h * D, dk = dq + C, dv = dq + 2 * C;
            int a = att + task * T * T, ad = p != 0f ? attDrop + task * T * T : a;
            int dO = dout + b * T * C + h * D;
            float[] g = attentionScratch(T * T);
            Gemm.Scratch s = Gemm.scratch();
            Gemm.multiply(false, true, T, T, D, f, dO, C, f, v, C3, g, 0, T, false, s);
            Gemm.multiply(true, false, T, D, T, f, ad, T, f, dO, C, f, dv, C3, true, s);
            if (p != 0f)
                dropAdd(g, 0, null, 0, g, 0, T * T, CounterRng.sequenceKey(key, firstSequence + b), h * T * T, p);
            for (int t = 0; t < T; t++) {
                int row = a + t * T, gr = t * T;
                float dot = 0f;
                for (int j = 0; j < T; j++) dot += f[row + j] * g[gr + j];
                for (int j = 0; j < T; j++) g[gr + j] = f[row + j] * (g[gr + j] - dot) * scale;
            }
            if (dbias >= 0) {
                for (int i = 0, bi = dbias + task * T * T; i < T * T; i++) f[bi + i] += g[i];
            }
            Gemm.multiply(false, false, T, D, T, g, 0, T, f, k, C3, f, dq, C3, true, s);
            Gemm.multiply(true, false, T, D, T, g, 0, T, f, q, C3, f, dk, C3, true, s);
        });
    }

    // ---------------------------------------------------------------- relative positions

    @Override
    public void relativePositionForward(
            int bias, int qkv, int dist, int B, int T, int NH, int D, int M, boolean keyQuery) {
        int C = NH * D, C3 = 3 * C;
        pool.run(B * NH, task -> {
            int b = task / NH, h = task % NH;
            int q = qkv + b * T * C3 + h * D, k = q + C;
            for (int l = 0; l < T; l++) {
                int row = bias + (task * T + l) * T;
                for (int r = 0; r < T; r++) {
                    int e = dist + (l - r + M - 1) * D;
                    float s = dot(q + l * C3, e, D);
                    if (keyQuery) s += dot(k + r * C3, e, D);
                    f[row + r] = s;
                }
            }
        });
    }

    private float dot(int x, int y, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += f[x + i] * f[y + i];
        return s;
    }

    /**
     * dq and dk per (b, h) task, each owning its rows; the distance table's gradient per distance
     * row, summing (b, h, l) in order, so no two tasks write the same element.
     */
    @Override
    public void relativePositionBackward(
            int dqkv, int ddist, int dbias, int qkv, int dist, int B, int T, int NH, int D, int M, boolean keyQuery) {
        int C = NH * D, C3 = 3 * C;
        pool.run(B * NH, task -> {
            int b = task / NH, h = task % NH;
            int dq = dqkv + b * T * C3 + h * D, dk = dq + C;
            for (int l = 0; l < T; l++) {
                int row = dbias + (task * T + l) * T;
                for (int r = 0; r < T; r++) {
                    float g = f[row + r];
                    int e = dist + (l - r + M - 1) * D;
                    for (int d = 0; d < D; d++) f[dq + l * C3 + d] += g * f[e + d];
                }
            }
            if (keyQuery) {
                for (int r = 0; r < T; r++) {
                    for (int l = 0; l < T; l++) {
                        float g = f[dbias + (task * T + l) * T + r];
                        int e = dist + (l - r + M - 1) * D;
                        for (int d = 0; d < D; d++) f[dk + r * C3 + d] += g * f[e + d];
                    }
                }
            }
        });
        // distance l - r = j - (T - 1) for j in [0, 2T - 1): table row j + M - T
        pool.run(2 * T - 1, j -> {
            int delta = j - (T - 1), e = ddist + (j + M - T) * D;
            float[] acc = attentionScratch(D);
            java.util.Arrays.fill(acc, 0, D, 0f);
            for (int bh = 0; bh < B * NH; bh++) {
                int b = bh / NH, h = bh % NH;
                int q = qkv + b * T * C3 + h * D, k = q + C;
                for (int l = Math.max(0, delta); l < Math.min(T, T + delta); l++) {
                    int r = l - delta;
                    float g = f[dbias + (bh * T + l) * T + r];
                    for (int d = 0; d < D; d++) acc[d] += g * f[q + l * C3 + d];
                    if (keyQuery) {
                        for (int d = 0; d < D; d++) acc[d] += g * f[k + r * C3 + d];
                    }
                }
            }
            for (int d = 0; d < D; d++) f[e + d] += acc[d];
        });
    }

    // ---------------------------------------------------------------- loss

    @Override
    public void crossEntropy(
            int loss, int correct, int dlogits, int logits, int labels, int rows, int V, float gradScale) {
        chunks(rows, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int x = logits + r * V, d = dlogits + r * V;
                int label = ints[labels + r];
                if (label < 0 || label >= V) {
                    throw new IllegalArgumentException(
                            "label " + label + " of row " + r + " is outside the vocabulary of " + V);
                }
                float max = max(f, x, V);
                float sum = expShifted(x, d, V, max);
                f[loss + r] = (float) Math.log(sum) + max - f[x + label];
                ints[correct + r] = isFirstMax(x, label, max) ? 1 : 0;
                float inv = gradScale / sum;
                for (int j = 0; j < V; j++) f[d + j] *= inv;
                f[d + label] -= gradScale;
            }
        });
    }

    @Override
    public void sampleTokens(int out, int logits, int positions, int rows, int V, int key, int firstSequence, int T) {
        chunks(rows, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int x = logits + r * V, q = ints[positions + r];
                float u = CounterRng.uniform(CounterRng.sequenceKey(key, firstSequence + q / T), q % T);
                ints[out + r] = SoftmaxSampler.draw(f, x, V, u);
            }
        });
    }

    @Override
    public void binaryCrossEntropy(
            int loss, int outcome, int dlogits, int logits, int labels, int mask, int n, float gradScale) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                if (ints[mask + i] == 0) {
                    f[loss + i] = 0f;
                    f[dlogits + i] = 0f;
                    ints[outcome + i] = 0;
                    continue;
                }
                float z = f[logits + i];
                int y = ints[labels + i];
                if (y != 0 && y != 1)
                    throw new IllegalArgumentException("replaced-token label " + y + " at " + i + " is not 0 or 1");
                // softplus(z) = max(z, 0) + log1p(exp(-|z|)): no overflow for large |z|
                f[loss + i] = (float) (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) - y * z;
                f[dlogits + i] = (float) (1 / (1 + Math.exp(-z)) - y) * gradScale;
                ints[outcome + i] = 1 + 2 * y + (z > 0 ? 1 : 0);
            }
        });
    }

    /** dst[j] = exp(src[j] - max); returns their sum (fixed-order lane reduction). */
    private float expShifted(int src, int dst, int V, float max) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j + L <= V; j += L) {
            FloatVector e = FastMath.exp(FloatVector.fromArray(S, f, src + j).sub(max));
            e.intoArray(f, dst + j);
            acc = acc.add(e);
        }
        float sum = lanesInOrder(acc);
        for (; j < V; j++) {
            float e = FastMath.exp(f[src + j] - max);
            f[dst + j] = e;
            sum += e;
        }
        return sum;
    }

    private boolean isFirstMax(int x, int label, float max) {
        if (f[x + label] != max) return false;
        for (int j = 0; j < label; j++) if (f[x + j] == max) return false;
        return true;
    }

    // ---------------------------------------------------------------- optimiser support

    @Override
    public double sumOfSquares(int off, int n) {
        int tasks = ceilDiv(n, CHUNK);
        double[] partial = new double[tasks];
        pool.run(tasks, task -> {
            int i0 = task * CHUNK, i1 = Math.min(n, i0 + CHUNK);
            FloatVector acc = FloatVector.zero(S);
            int i = i0;
            for (; i + L <= i1; i += L) {
                FloatVector x = FloatVector.fromArray(S, f, off + i);
                acc = x.fma(x, acc);
            }
            double s = 0;
            for (int l = 0; l < L; l++) s += acc.lane(l);
            for (; i < i1; i++) s += (double) f[off + i] * f[off + i];
            partial[task] = s;
        });
        double total = 0;
        for (double s : partial) total += s;
        return total;
    }

    @Override
    public void scale(int off, int n, float factor) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) f[off + i] *= factor;
        });
    }

    @Override
    public void axpy(int dst, int src, int n, float alpha) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) f[dst + i] += alpha * f[src + i];
        });
    }

    @Override
    public void adamw(
            int param,
            int grad,
            int m,
            int v,
            int n,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            float bc1,
            float bc2) {
        float stepSize = lr / bc1;
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = 1f - lr * weightDecay;
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float g = f[grad + i];
                float mi = beta1 * f[m + i] + (1f - beta1) * g;
                float vi = beta2 * f[v + i] + (1f - beta2) * g * g;
                f[m + i] = mi;
                f[v + i] = vi;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                f[param + i] = f[param + i] * decay - stepSize * mi / denom;
            }
        });
    }

    @Override
    public void lambDirection(
            int param,
            int grad,
            int m,
            int v,
            int n,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            float bc1,
            float bc2) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float g = f[grad + i];
                float mi = beta1 * f[m + i] + (1f - beta1) * g;
                float vi = beta2 * f[v + i] + (1f - beta2) * g * g;
                f[m + i] = mi;
                f[v + i] = vi;
                f[grad + i] = (mi / bc1) / ((float) Math.sqrt(vi / bc2) + eps) + weightDecay * f[param + i];
            }
        });
    }

    @Override
    public void sgd(
            int param, int grad, int buf, int n, float lr, float momentum, boolean nesterov, float weightDecay) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float g = f[grad + i] + weightDecay * f[param + i];
                if (momentum != 0f) {
                    float b = momentum * f[buf + i] + g;
                    f[buf + i] = b;
                    g = nesterov ? g + momentum * b : b;
                }
                f[param + i] -= lr * g;
            }
        });
    }

    @Override
    public void adagrad(int param, int grad, int sum, int n, float lr, float eps, float weightDecay) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float g = f[grad + i] + weightDecay * f[param + i];
                float s = f[sum + i] + g * g;
                f[sum + i] = s;
                f[param + i] -= lr * g / ((float) Math.sqrt(s) + eps);
            }
        });
    }

    @Override
    public void adadelta(
            int param, int grad, int sqAvg, int accDelta, int n, float lr, float rho, float eps, float weightDecay) {
        chunks(n, CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float g = f[grad + i] + weightDecay * f[param + i];
                float sq = rho * f[sqAvg + i] + (1f - rho) * g * g;
                f[sqAvg + i] = sq;
                float delta = (float) Math.sqrt(f[accDelta + i] + eps) / (float) Math.sqrt(sq + eps) * g;
                f[accDelta + i] = rho * f[accDelta + i] + (1f - rho) * delta * delta;
                f[param + i] -= lr * delta;
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---------------------------------------------------------------- helpers

    private interface Range {
        void run(int from, int to);
    }

    /** Splits [0,n) into chunks of a fixed size (never depending on the thread count) and runs them. */
    private void chunks(int n, int chunk, Range body) {
        int tasks = ceilDiv(n, chunk);
        pool.run(tasks, task -> body.run(task * chunk, Math.min(n, task * chunk + chunk)));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Sum with L partial sums and a fixed-order final reduction (not reduceLanes, whose order is unspecified). */
    private static float sum(float[] a, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) acc = acc.add(FloatVector.fromArray(S, a, off + i));
        float s = lanesInOrder(acc);
        for (; i < n; i++) s += a[off + i];
        return s;
    }

    private static float sumSquaredDeviation(float[] a, int off, int n, float mean) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector d = FloatVector.fromArray(S, a, off + i).sub(mean);
            acc = d.fma(d, acc);
        }
        float s = lanesInOrder(acc);
        for (; i < n; i++) {
            float d = a[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /** Maximum is exact in any order, so the lane reduction is deterministic. */
    private static float max(float[] a, int off, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + L <= n; i += L) acc = acc.max(FloatVector.fromArray(S, a, off + i));
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    private static float lanesInOrder(FloatVector v) {
        float s = 0f;
        for (int l = 0; l < L; l++) s += v.lane(l);
        return s;
    }
}
