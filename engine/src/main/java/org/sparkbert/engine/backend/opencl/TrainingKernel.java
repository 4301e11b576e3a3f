package org.sparkbert.engine.backend.opencl;

import com.aparapi.Kernel;

/**
 * Every operation of the training step in ONE Aparapi kernel instance, because Aparapi's device
 * buffers belong to an instance and a field: only a single instance can keep the arenas resident
 * across operations. {@link #run} picks the operation from {@link #op} with flat {@code if} blocks
 * (a {@code switch} is refused and a deep else-if chain breaks POCL's compiler). Operands are the
 * generic scalar fields a0..a13 (arena offsets and sizes) and x0..x5 (floats), set by
 * {@link OpenClBackend} before each launch; their meaning is documented per operation.
 *
 * <p>Float-only maths: every literal carries an f and only the Kernel's float built-ins are used,
 * so the generated OpenCL needs no FP64 (a test checks the class model). No early return: the GEMM
 * branch has barriers that every work item must reach.
 */
final class TrainingKernel extends Kernel {
    static final int FILL = 1,
            COPY = 2,
            STAGE_IN = 3,
            STAGE_OUT = 4,
            GEMM = 5,
            COLUMN_SUMS = 6,
            EMBEDDING_FORWARD = 7,
            EMBEDDING_WORDS_BACKWARD = 8,
            EMBEDDING_POSITIONS_BACKWARD = 9,
            EMBEDDING_TYPES_BACKWARD = 10,
            GATHER = 11,
            SCATTER_ADD = 12,
            LAYER_NORM_FORWARD = 13,
            LAYER_NORM_INPUT_BACKWARD = 14,
            LAYER_NORM_PARAM_BACKWARD = 15,
            GELU_FORWARD = 16,
            GELU_BACKWARD = 17,
            TANH_FORWARD = 18,
            TANH_BACKWARD = 19,
            DROPOUT_FORWARD = 20,
            DROPOUT_BACKWARD = 21,
            RESIDUAL_FORWARD = 22,
            RESIDUAL_BACKWARD = 23,
            ATTENTION_FORWARD = 24,
            ATTENTION_SCORE_BACKWARD = 25,
            ATTENTION_QKV_BACKWARD = 26,
            CROSS_ENTROPY = 27,
            SUM_OF_SQUARES = 28,
            SCALE = 29,
            AXPY = 30,
            ADAMW = 31,
            LAMB_DIRECTION = 32,
            SGD = 33,
            ADAGRAD = 34,
            ADADELTA = 35,
            RELATIVE_POSITION_FORWARD = 36,
            RELATIVE_POSITION_QK_BACKWARD = 37,
            RELATIVE_POSITION_TABLE_BACKWARD = 38,
            SAMPLE_TOKENS = 39,
            BINARY_CROSS_ENTROPY = 40;
    static final int OPS = 41;
    /** The K depth of one GEMM panel in local memory. */
    static final int GEMM_K = 16;
    /** The largest element-wise work-group size (a power of two: reductions halve it). */
    static final int MAX_LOCAL = 64;

    /** Stand-in for minus infinity (an infinite literal does not survive Aparapi's code generation). */
    private static final float LOWEST = -3.4028235e38f;

    private static final float INV_SQRT2 = 0.70710678f;
    private static final float INV_SQRT_2PI = 0.39894228f;
    private static final float ERF_P = 0.3275911f;
    private static final float A1 = 0.254829592f,
            A2 = -0.284496736f,
            A3 = 1.421413741f,
            A4 = -1.453152027f,
            A5 = 1.061405429f;

    // ---- device-resident buffers
    final float[] f;
    final int[] ints;
    /** Host<->device staging for reads and writes of arena ranges (bulk, and small for metrics and partial sums). */
    final float[] stage;

    final float[] small;
    /** Device-only scratch (attention score gradients), grown by the host when a shape needs more. */
    float[] scratch;
    /** Host-built index lists (embedding rows sorted by token id), grown like scratch. */
    int[] order;

    @Local
    final float[] tileA;

    @Local
    final float[] tileB;
    /** Per-group reduction scratch (cross-entropy), one slot per work item of the element-wise local size. */
    @Local
    final float[] reduceF;

    @Local
    final int[] reduceI;

    // ---- the operation and its operands (scalars travel with every launch)
    int op;
    int a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13;
    float x0, x1, x2, x3, x4, x5;
    /** GEMM work-group side in items (set by the host within the device limits). */
    int tile;

    /** f and scratch get at least unmoved elements, so the garbage collector never moves them ({@link UnmovedArrays}). */
    TrainingKernel(int floats, int intCount, int stageSize, int smallSize, int tile, int unmoved) {
        this.f = new float[Math.max(floats, unmoved)];
        this.ints = new int[Math.max(1, intCount)];
        this.stage = new float[stageSize];
        this.small = new float[smallSize];
        this.scratch = new float[unmoved];
        this.order = new int[1];
        this.tile = tile;
        this.tileA = new float[4 * tile * GEMM_K];
        this.tileB = new float[4 * tile * GEMM_K];
        this.reduceF = new float[MAX_LOCAL];
        this.reduceI = new int[MAX_LOCAL];
    }

    @Override
    public void run() {
        if (op == FILL) fill();
        if (op == COPY) copy();
        if (op == STAGE_IN) stageIn();
        if (op == STAGE_OUT) stageOut();
        if (op == GEMM) gemm();
        if (op == COLUMN_SUMS) columnSums();
        if (op == EMBEDDING_FORWARD) embeddingForward();
        if (op == EMBEDDING_WORDS_BACKWARD) embeddingWordsBackward();
        if (op == EMBEDDING_POSITIONS_BACKWARD) embeddingPositionsBackward();
        if (op == EMBEDDING_TYPES_BACKWARD) embeddingTypesBackward();
        if (op == GATHER) gather();
        if (op == SCATTER_ADD) scatterAdd();
        if (op == LAYER_NORM_FORWARD) layerNormForward();
        if (op == LAYER_NORM_INPUT_BACKWARD) layerNormInputBackward();
        if (op == LAYER_NORM_PARAM_BACKWARD) layerNormParamBackward();
        if (op == GELU_FORWARD) geluForward();
        if (op == GELU_BACKWARD) geluBackward();
        if (op == TANH_FORWARD) tanhForward();
        if (op == TANH_BACKWARD) tanhBackward();
        if (op == DROPOUT_FORWARD) dropoutForward();
        if (op == DROPOUT_BACKWARD) dropoutBackward();
        if (op == RESIDUAL_FORWARD) residualForward();
        if (op == RESIDUAL_BACKWARD) residualBackward();
        if (op == ATTENTION_FORWARD) attentionForward();
        if (op == ATTENTION_SCORE_BACKWARD) attentionScoreBackward();
        if (op == ATTENTION_QKV_BACKWARD) attentionQkvBackward();
        if (op == CROSS_ENTROPY) crossEntropy();
        if (op == SUM_OF_SQUARES) sumOfSquares();
        if (op == SCALE) scale();
        if (op == AXPY) axpy();
        if (op == ADAMW) adamw();
        if (op == LAMB_DIRECTION) lambDirection();
        if (op == SGD) sgd();
        if (op == ADAGRAD) adagrad();
        if (op == ADADELTA) adadelta();
        if (op == RELATIVE_POSITION_FORWARD) relativePositionForward();
        if (op == RELATIVE_POSITION_QK_BACKWARD) relativePositionQkBackward();
        if (op == RELATIVE_POSITION_TABLE_BACKWARD) relativePositionTableBackward();
        if (op == SAMPLE_TOKENS) sampleTokens();
        if (op == BINARY_CROSS_ENTROPY) binaryCrossEntropy();
    }

    // ------------------------------------------------------------ data movement
    // a0 = dst/off, a1 = src, a2 = n, a3 = 1 for the small staging array, x0 = value

    private void fill() {
        int i = getGlobalId();
        if (i < a2) f[a0 + i] = x0;
    }

    private void copy() {
        int i = getGlobalId();
        if (i < a2) f[a0 + i] = f[a1 + i];
    }

    /** f[a0 + i] = stage[i] (or small[i]). */
    private void stageIn() {
        int i = getGlobalId();
        if (i < a2) {
            if (a3 != 0) f[a0 + i] = small[i];
            else f[a0 + i] = stage[i];
        }
    }

    /** stage[i] (or small[i]) = f[a0 + i]. */
    private void stageOut() {
        int i = getGlobalId();
        if (i < a2) {
            if (a3 != 0) small[i] = f[a0 + i];
            else stage[i] = f[a0 + i];
        }
    }

    // ------------------------------------------------------------ GEMM
    // C[M,N] = (a11 accumulate ? C : 0) + (a12 >= 0 ? bias : 0) + op(A) op(B)
    // a0 transA, a1 transB, a2 M, a3 N, a4 K, a5 a, a6 lda, a7 b, a8 ldb, a9 c, a10 ldc, a11 accumulate,
    // a12 bias, a13 output tiles across N

    /**
     * A work group of tile x tile items computes a (4 tile) x (4 tile) block of C, each item a 4 x 4
     * register block (rows ty + r tile, columns tx + c tile, so neighbours read neighbouring local
     * words); K advances GEMM_K at a time through local-memory panels of A and B, loaded so that
     * neighbouring items read neighbouring global words whichever operand is transposed.
     */
    private void gemm() {
        int lid = getLocalId();
        int group = getGroupId();
        int W = 4 * tile, items = tile * tile;
        int ty = lid / tile, tx = lid % tile;
        int i0 = (group / a13) * W, j0 = (group % a13) * W;
        float c00 = 0f,
                c01 = 0f,
                c02 = 0f,
                c03 = 0f,
                c10 = 0f,
                c11 = 0f,
                c12 = 0f,
                c13 = 0f,
                c20 = 0f,
                c21 = 0f,
                c22 = 0f,
                c23 = 0f,
                c30 = 0f,
                c31 = 0f,
                c32 = 0f,
                c33 = 0f;
        for (int k0 = 0; k0 < a4; k0 += GEMM_K) {
            for (int e = lid; e < W * GEMM_K; e += items) {
                int r = e / GEMM_K, kk = e % GEMM_K;
                if (a0 != 0) {
                    kk = e / W;
                    r = e % W;
                }
                int i = i0 + r, k = k0 + kk;
                float v = 0f;
                if (i < a2 && k < a4) {
                    if (a0 != 0) v = f[a5 + k * a6 + i];
                    else v = f[a5 + i * a6 + k];
                }
                tileA[r * GEMM_K + kk] = v;
            }
            for (int e = lid; e < W * GEMM_K; e += items) {
                int kk = e / W, c = e % W;
                if (a1 != 0) {
                    c = e / GEMM_K;
                    kk = e % GEMM_K;
                }
                int j = j0 + c, k = k0 + kk;
                float v = 0f;
                if (k < a4 && j < a3) {
                    if (a1 != 0) v = f[a7 + j * a8 + k];
                    else v = f[a7 + k * a8 + j];
                }
                tileB[kk * W + c] = v;
            }
            localBarrier();
            for (int kk = 0; kk < GEMM_K; kk++) {
                float p0 = tileA[ty * GEMM_K + kk], p1 = tileA[(ty + tile) * GEMM_K + kk];
                float p2 = tileA[(ty + 2 * tile) * GEMM_K + kk], p3 = tileA[(ty + 3 * tile) * GEMM_K + kk];
                float q0 = tileB[kk * W + tx], q1 = tileB[kk * W + tx + tile];
                float q2 = tileB[kk * W + tx + 2 * tile], q3 = tileB[kk * W + tx + 3 * tile];
                c00 += p0 * q0;
                c01 += p0 * q1;
                c02 += p0 * q2;
                c03 += p0 * q3;
                c10 += p1 * q0;
                c11 += p1 * q1;
                c12 += p1 * q2;
                c13 += p1 * q3;
                c20 += p2 * q0;
                c21 += p2 * q1;
                c22 += p2 * q2;
                c23 += p2 * q3;
                c30 += p3 * q0;
                c31 += p3 * q1;
                c32 += p3 * q2;
                c33 += p3 * q3;
            }
            localBarrier();
        }
        store(i0 + ty + 0 * tile, j0 + tx + 0 * tile, c00);
        store(i0 + ty + 0 * tile, j0 + tx + 1 * tile, c01);
        store(i0 + ty + 0 * tile, j0 + tx + 2 * tile, c02);
        store(i0 + ty + 0 * tile, j0 + tx + 3 * tile, c03);
        store(i0 + ty + 1 * tile, j0 + tx + 0 * tile, c10);
        store(i0 + ty + 1 * tile, j0 + tx + 1 * tile, c11);
        store(i0 + ty + 1 * tile, j0 + tx + 2 * tile, c12);
        store(i0 + ty + 1 * tile, j0 + tx + 3 * tile, c13);
        store(i0 + ty + 2 * tile, j0 + tx + 0 * tile, c20);
        store(i0 + ty + 2 * tile, j0 + tx + 1 * tile, c21);
        store(i0 + ty + 2 * tile, j0 + tx + 2 * tile, c22);
        store(i0 + ty + 2 * tile, j0 + tx + 3 * tile, c23);
        store(i0 + ty + 3 * tile, j0 + tx + 0 * tile, c30);
        store(i0 + ty + 3 * tile, j0 + tx + 1 * tile, c31);
        store(i0 + ty + 3 * tile, j0 + tx + 2 * tile, c32);
        store(i0 + ty + 3 * tile, j0 + tx + 3 * tile, c33);
    }

    private void store(int i, int j, float acc) {
        if (i < a2 && j < a3) {
            int c = a9 + i * a10 + j;
            float base = 0f;
            if (a11 != 0) base = f[c];
            if (a12 >= 0) base += f[a12 + j];
            f[c] = base + acc;
        }
    }

    /** f[a0 + j] += sum over a2 rows of f[a1 + r*a3 + j], rows in order. a3 = N columns. */
    private void columnSums() {
        int j = getGlobalId();
        if (j < a3) {
            float s = 0f;
            for (int r = 0; r < a2; r++) s += f[a1 + r * a3 + j];
            f[a0 + j] += s;
        }
    }

    // ------------------------------------------------------------ embeddings and rows
    // forward: a0 out, a1 ids, a2 types, a3 wte, a4 wpe, a5 wtt, a6 B*T, a7 T, a8 C

    private void embeddingForward() {
        int g = getGlobalId();
        if (g < a6 * a8) {
            int r = g / a8, c = g % a8;
            float v = f[a3 + ints[a1 + r] * a8 + c] + f[a5 + ints[a2 + r] * a8 + c];
            if (a4 >= 0) v += f[a4 + (r % a7) * a8 + c];
            f[a0 + g] = v;
        }
    }

    /**
     * One work item per (distinct token id u, channel c): sums its tokens in position order, which
     * the host sorted into order[]: order[a6 + u] is the id, order[a7 + u .. a7 + u + 1) the range in
     * order[0..) of its token rows. a0 dwte, a1 dout, a2 distinct ids, a8 C.
     */
    private void embeddingWordsBackward() {
        int g = getGlobalId();
        if (g < a2 * a8) {
            int u = g / a8, c = g % a8;
            float s = 0f;
            for (int k = order[a7 + u]; k < order[a7 + u + 1]; k++) s += f[a1 + order[k] * a8 + c];
            f[a0 + order[a6 + u] * a8 + c] += s;
        }
    }

    /** dwpe[t, c] += sum over b of dout[b, t, c]. a0 dwpe, a1 dout, a2 B, a7 T, a8 C. */
    private void embeddingPositionsBackward() {
        int g = getGlobalId();
        if (g < a7 * a8) {
            int t = g / a8, c = g % a8;
            float s = 0f;
            for (int b = 0; b < a2; b++) s += f[a1 + (b * a7 + t) * a8 + c];
            f[a0 + g] += s;
        }
    }

    /** dwtt[y, c] += sum of dout over tokens of type y, in order. a0 dwtt, a1 dout, a2 types, a3 type count, a6 B*T, a8 C. */
    private void embeddingTypesBackward() {
        int g = getGlobalId();
        if (g < a3 * a8) {
            int y = g / a8, c = g % a8;
            float s = 0f;
            for (int r = 0; r < a6; r++) {
                if (ints[a2 + r] == y) s += f[a1 + r * a8 + c];
            }
            f[a0 + g] += s;
        }
    }

    /** out[i, :] = in[rows[i], :]. a0 out, a1 in, a2 rows, a3 n, a4 C. */
    private void gather() {
        int g = getGlobalId();
        if (g < a3 * a4) {
            int i = g / a4, c = g % a4;
            f[a0 + g] = f[a1 + ints[a2 + i] * a4 + c];
        }
    }

    /** din[rows[i], :] += dout[i, :] (rows distinct). a0 din, a1 dout, a2 rows, a3 n, a4 C. */
    private void scatterAdd() {
        int g = getGlobalId();
        if (g < a3 * a4) {
            int i = g / a4, c = g % a4;
            f[a0 + ints[a2 + i] * a4 + c] += f[a1 + g];
        }
    }

    // ------------------------------------------------------------ LayerNorm
    // a0 out/dinp, a1 mean, a2 rstd, a3 inp, a4 w, a5 b, a6 N, a7 C, a8 dw, a9 db, a10 dout, x0 eps

    private void layerNormForward() {
        int r = getGlobalId();
        if (r < a6) {
            int x = a3 + r * a7;
            float m = 0f;
            for (int c = 0; c < a7; c++) m += f[x + c];
            m = m / a7;
            float v = 0f;
            for (int c = 0; c < a7; c++) {
                float d = f[x + c] - m;
                v += d * d;
            }
            float s = 1f / sqrt(v / a7 + x0);
            int o = a0 + r * a7;
            for (int c = 0; c < a7; c++) f[o + c] = (f[x + c] - m) * s * f[a4 + c] + f[a5 + c];
            f[a1 + r] = m;
            f[a2 + r] = s;
        }
    }

    private void layerNormInputBackward() {
        int r = getGlobalId();
        if (r < a6) {
            int x = a3 + r * a7, d = a10 + r * a7, di = a0 + r * a7;
            float m = f[a1 + r], s = f[a2 + r];
            float dnormMean = 0f, dnormNormMean = 0f;
            for (int c = 0; c < a7; c++) {
                float dnorm = f[a4 + c] * f[d + c];
                dnormMean += dnorm;
                dnormNormMean += dnorm * (f[x + c] - m) * s;
            }
            dnormMean = dnormMean / a7;
            dnormNormMean = dnormNormMean / a7;
            for (int c = 0; c < a7; c++) {
                float norm = (f[x + c] - m) * s;
                f[di + c] += (f[a4 + c] * f[d + c] - dnormMean - norm * dnormNormMean) * s;
            }
        }
    }

    private void layerNormParamBackward() {
        int c = getGlobalId();
        if (c < a7) {
            float gw = 0f, gb = 0f;
            for (int r = 0; r < a6; r++) {
                float d = f[a10 + r * a7 + c];
                gw += (f[a3 + r * a7 + c] - f[a1 + r]) * f[a2 + r] * d;
                gb += d;
            }
            f[a8 + c] += gw;
            f[a9 + c] += gb;
        }
    }

    // ------------------------------------------------------------ element-wise
    // a0 out/dinp, a1 inp/out, a2 dout/y, a3 n, a4 key, a5 first global sequence, a6 elements per sequence, x0 p

    /** Abramowitz and Stegun 7.1.26, given e = exp(-x*x). */
    private float erf(float x, float e) {
        float ax = abs(x);
        float t = 1f / (ERF_P * ax + 1f);
        float p = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1);
        float y = 1f - p * t * e;
        float r = y;
        if (x < 0f) r = -y;
        return r;
    }

    private void geluForward() {
        int i = getGlobalId();
        if (i < a3) {
            float x = f[a1 + i];
            float u = x * INV_SQRT2;
            f[a0 + i] = x * 0.5f * (erf(u, exp(-(u * u))) + 1f);
        }
    }

    private void geluBackward() {
        int i = getGlobalId();
        if (i < a3) {
            float x = f[a1 + i];
            float u = x * INV_SQRT2;
            float e = exp(-(u * u));
            float grad = (erf(u, e) + 1f) * 0.5f + x * INV_SQRT_2PI * e;
            f[a0 + i] += grad * f[a2 + i];
        }
    }

    private void tanhForward() {
        int i = getGlobalId();
        if (i < a3) f[a0 + i] = tanh(f[a1 + i]);
    }

    /** a1 is the forward output. */
    private void tanhBackward() {
        int i = getGlobalId();
        if (i < a3) {
            float y = f[a1 + i];
            f[a0 + i] += f[a2 + i] * (1f - y * y);
        }
    }

    /** {@link org.sparkbert.engine.backend.CounterRng#uniform}, the same integer steps. */
    private float uniform(int key, int index) {
        int h = mix32(index * 0x9E3779B9 + key);
        h = mix32(h ^ key);
        return (h >>> 8) * 5.9604645e-8f;
    }

    /** {@link org.sparkbert.engine.backend.CounterRng#sequenceKey}, the same integer steps. */
    private int sequenceKey(int key, int sequence) {
        return mix32(key ^ mix32(sequence * 0xC2B2AE35 + 0x165667B1));
    }

    private int mix32(int v) {
        int x = v;
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    /** The kept-and-scaled multiplier of buffer element i, of sequence a5 + i / a6 (1 without dropout). */
    private float keep(int i) {
        float k = 1f;
        if (x0 != 0f) {
            int sequence = i / a6;
            k = 0f;
            if (uniform(sequenceKey(a4, a5 + sequence), i - sequence * a6) >= x0) k = 1f / (1f - x0);
        }
        return k;
    }

    private void dropoutForward() {
        int i = getGlobalId();
        if (i < a3) f[a0 + i] = f[a1 + i] * keep(i);
    }

    private void dropoutBackward() {
        int i = getGlobalId();
        if (i < a3) f[a0 + i] += f[a2 + i] * keep(i);
    }

    /** out = x + dropout(y): a0 out, a1 x, a2 y. */
    private void residualForward() {
        int i = getGlobalId();
        if (i < a3) f[a0 + i] = f[a1 + i] + f[a2 + i] * keep(i);
    }

    /** dx += dout; dy += dropout'(dout): a0 dx, a1 dy, a2 dout. */
    private void residualBackward() {
        int i = getGlobalId();
        if (i < a3) {
            float g = f[a2 + i];
            f[a0 + i] += g;
            f[a1 + i] += g * keep(i);
        }
    }

    // ------------------------------------------------------------ attention
    // a0 out/dqkv, a1 att, a2 attDrop, a3 qkv, a4 mask, a5 B, a6 T, a7 NH, a8 D, a9 key, a10 dout,
    // a11 first global sequence, a12 score bias (forward) or its gradient (backward), -1 for none, x0 p, x1 scale

    /** The dropout multiplier of attention probability i (of NH*T*T) of sequence b. */
    private float attentionKeep(int b, int i) {
        float k = 1f;
        if (x0 != 0f) {
            k = 0f;
            if (uniform(sequenceKey(a9, a11 + b), i) >= x0) k = 1f / (1f - x0);
        }
        return k;
    }

    /** One work item per (b, h, t): the score row, its masked softmax, dropout, and the context row. */
    private void attentionForward() {
        int g = getGlobalId();
        if (g < a5 * a7 * a6) {
            int T = a6, D = a8, C = a7 * a8, C3 = 3 * C;
            int t = g % T, bh = g / T, h = bh % a7, b = bh / a7;
            int q = a3 + (b * T + t) * C3 + h * D;
            int row = a1 + (bh * T + t) * T, drow = a2 + (bh * T + t) * T;
            float max = LOWEST;
            for (int j = 0; j < T; j++) {
                int k = a3 + (b * T + j) * C3 + C + h * D;
                float s = 0f;
                for (int d = 0; d < D; d++) s += f[q + d] * f[k + d];
                if (a12 >= 0) s += f[a12 + (bh * T + t) * T + j];
                f[row + j] = s;
                if (ints[a4 + b * T + j] != 0 && s > max) max = s;
            }
            float sum = 0f;
            for (int j = 0; j < T; j++) {
                float e = 0f;
                if (ints[a4 + b * T + j] != 0) e = exp((f[row + j] - max) * x1);
                f[row + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < T; j++) f[row + j] = f[row + j] * inv;
            if (x0 != 0f) {
                int base = (h * T + t) * T;
                for (int j = 0; j < T; j++) f[drow + j] = f[row + j] * attentionKeep(b, base + j);
            }
            int probs = row;
            if (x0 != 0f) probs = drow;
            int o = a0 + (b * T + t) * C + h * D;
            for (int d = 0; d < D; d++) {
                float s = 0f;
                for (int j = 0; j < T; j++) s += f[probs + j] * f[a3 + (b * T + j) * C3 + 2 * C + h * D + d];
                f[o + d] = s;
            }
        }
    }

    /**
     * One work item per (b, h, t): the gradient of the scores row into scratch, through dropout and
     * the softmax: gs = att * (g - sum(att * g)) * scale with g = dropout'(dout v^T).
     */
    private void attentionScoreBackward() {
        int g = getGlobalId();
        if (g < a5 * a7 * a6) {
            int T = a6, D = a8, C = a7 * a8, C3 = 3 * C;
            int t = g % T, bh = g / T, h = bh % a7, b = bh / a7;
            int dO = a10 + (b * T + t) * C + h * D;
            int row = a1 + (bh * T + t) * T, srow = (bh * T + t) * T, krow = (h * T + t) * T;
            float dot = 0f;
            for (int j = 0; j < T; j++) {
                int v = a3 + (b * T + j) * C3 + 2 * C + h * D;
                float s = 0f;
                for (int d = 0; d < D; d++) s += f[dO + d] * f[v + d];
                s = s * attentionKeep(b, krow + j);
                scratch[srow + j] = s;
                dot += f[row + j] * s;
            }
            for (int j = 0; j < T; j++) scratch[srow + j] = f[row + j] * (scratch[srow + j] - dot) * x1;
            if (a12 >= 0) {
                for (int j = 0; j < T; j++) f[a12 + srow + j] += scratch[srow + j];
            }
        }
    }

    /**
     * One work item per (part, b, h, t, d), part 0: dq[t,d] += gs[t,:] k[:,d]; part 1: dk[t,d] +=
     * gs[:,t] q[:,d]; part 2: dv[t,d] += attDrop[:,t] dout[:,d].
     */
    private void attentionQkvBackward() {
        int g = getGlobalId();
        int per = a5 * a7 * a6 * a8;
        if (g < 3 * per) {
            int T = a6, D = a8, C = a7 * a8, C3 = 3 * C;
            int part = g / per, r = g % per;
            int d = r % D, t = (r / D) % T, bh = r / (D * T), h = bh % a7, b = bh / a7;
            int base = bh * T * T;
            float s = 0f;
            if (part == 0) {
                for (int j = 0; j < T; j++) s += scratch[base + t * T + j] * f[a3 + (b * T + j) * C3 + C + h * D + d];
            }
            if (part == 1) {
                for (int i = 0; i < T; i++) s += scratch[base + i * T + t] * f[a3 + (b * T + i) * C3 + h * D + d];
            }
            if (part == 2) {
                int probs = a1 + base;
                if (x0 != 0f) probs = a2 + base;
                for (int i = 0; i < T; i++) s += f[probs + i * T + t] * f[a10 + (b * T + i) * C + h * D + d];
            }
            f[a0 + (b * T + t) * C3 + part * C + h * D + d] += s;
        }
    }

    // ------------------------------------------------------------ relative positions
    // a0 bias/dbias [B,NH,T,T], a1 qkv, a2 dist [2M-1,D], a3 B, a4 T, a5 NH, a6 D, a7 M, a8 1 for relative_key_query,
    // a9 dqkv, a10 ddist

    /** One work item per (b, h, l, r): bias = q[l] . e (+ k[r] . e) with e = dist[l - r + M - 1]. */
    private void relativePositionForward() {
        int g = getGlobalId();
        if (g < a3 * a5 * a4 * a4) {
            int T = a4, D = a6, C = a5 * a6, C3 = 3 * C;
            int r = g % T, l = (g / T) % T, bh = g / (T * T), h = bh % a5, b = bh / a5;
            int q = a1 + (b * T + l) * C3 + h * D, k = a1 + (b * T + r) * C3 + C + h * D;
            int e = a2 + (l - r + a7 - 1) * D;
            float s = 0f;
            for (int d = 0; d < D; d++) s += f[q + d] * f[e + d];
            if (a8 != 0) {
                for (int d = 0; d < D; d++) s += f[k + d] * f[e + d];
            }
            f[a0 + g] = s;
        }
    }

    /**
     * One work item per (part, b, h, t, d), part 0: dq[t,d] += sum over r of dbias[t,r] dist[t-r+M-1,d];
     * part 1 (relative_key_query only, launched over both parts then): dk[t,d] += sum over l of
     * dbias[l,t] dist[l-t+M-1,d].
     */
    private void relativePositionQkBackward() {
        int g = getGlobalId();
        int per = a3 * a5 * a4 * a6;
        if (g < (1 + a8) * per) {
            int T = a4, D = a6, C = a5 * a6, C3 = 3 * C;
            int part = g / per, i = g % per;
            int d = i % D, t = (i / D) % T, bh = i / (D * T), h = bh % a5, b = bh / a5;
            int base = a0 + bh * T * T;
            float s = 0f;
            if (part == 0) {
                for (int r = 0; r < T; r++) s += f[base + t * T + r] * f[a2 + (t - r + a7 - 1) * D + d];
            }
            if (part == 1) {
                for (int l = 0; l < T; l++) s += f[base + l * T + t] * f[a2 + (l - t + a7 - 1) * D + d];
            }
            f[a9 + (b * T + t) * C3 + part * C + h * D + d] += s;
        }
    }

    /**
     * One work item per (distance row j of the 2T-1 in use, d): sums over (b, h, l) in order, r = l - delta,
     * dbias[b,h,l,r] (q[b,l,h,d] + k[b,r,h,d] for relative_key_query) into ddist[j + M - T, d].
     */
    private void relativePositionTableBackward() {
        int g = getGlobalId();
        int T = a4, D = a6;
        if (g < (2 * T - 1) * D) {
            int C = a5 * a6, C3 = 3 * C;
            int d = g % D, j = g / D, delta = j - (T - 1);
            int l0 = 0, l1 = T;
            if (delta > 0) l0 = delta;
            if (delta < 0) l1 = T + delta;
            float s = 0f;
            for (int bh = 0; bh < a3 * a5; bh++) {
                int h = bh % a5, b = bh / a5;
                for (int l = l0; l < l1; l++) {
                    int r = l - delta;
                    float gs = f[a0 + (bh * T + l) * T + r];
                    s += gs * f[a1 + (b * T + l) * C3 + h * D + d];
                    if (a8 != 0) s += gs * f[a1 + (b * T + r) * C3 + C + h * D + d];
                }
            }
            f[a10 + (j + a7 - T) * D + d] += s;
        }
    }

    // ------------------------------------------------------------ loss
    // a0 loss, a1 correct (ints), a2 dlogits, a3 logits, a4 labels (ints), a5 rows, a6 V, x0 gradScale

    /**
     * One work group per row: strided passes over the V logits, each followed by a tree reduction in
     * local memory (max with the first arg-max, then the sum of exponentials), so a row of a large
     * vocabulary is spread over the group. Every element of dlogits is written by exactly one item.
     */
    private void crossEntropy() {
        int lid = getLocalId(), r = getGroupId(), L = getLocalSize();
        int x = a3 + r * a6, d = a2 + r * a6;
        int label = ints[a4 + r];
        float max = LOWEST;
        int arg = a6;
        for (int j = lid; j < a6; j += L) {
            if (f[x + j] > max) {
                max = f[x + j];
                arg = j;
            }
        }
        reduceF[lid] = max;
        reduceI[lid] = arg;
        localBarrier();
        for (int s = L / 2; s > 0; s = s / 2) {
            if (lid < s) {
                float o = reduceF[lid + s];
                int oi = reduceI[lid + s];
                if (o > reduceF[lid] || (o == reduceF[lid] && oi < reduceI[lid])) {
                    reduceF[lid] = o;
                    reduceI[lid] = oi;
                }
            }
            localBarrier();
        }
        max = reduceF[0];
        arg = reduceI[0];
        localBarrier();
        float sum = 0f;
        for (int j = lid; j < a6; j += L) {
            float e = exp(f[x + j] - max);
            f[d + j] = e;
            sum += e;
        }
        reduceF[lid] = sum;
        localBarrier();
        for (int s = L / 2; s > 0; s = s / 2) {
            if (lid < s) reduceF[lid] += reduceF[lid + s];
            localBarrier();
        }
        sum = reduceF[0];
        float inv = x0 / sum;
        for (int j = lid; j < a6; j += L) {
            float v = f[d + j] * inv;
            if (j == label) v -= x0;
            f[d + j] = v;
        }
        if (lid == 0) {
            f[a0 + r] = log(sum) + max - f[x + label];
            int right = 0;
            if (arg == label) right = 1;
            ints[a1 + r] = right;
        }
    }

    // ------------------------------------------------------------ replaced-token detection
    // sampleTokens: a0 out (ints), a1 logits, a2 positions (ints), a3 rows, a4 V, a5 key, a6 firstSequence, a7 T

    /** One item per row, the CPU backend's SoftmaxSampler steps: max, total, then the running sum in index order. */
    private void sampleTokens() {
        int r = getGlobalId();
        if (r < a3) {
            int x = a1 + r * a4, q = ints[a2 + r];
            float u = uniform(sequenceKey(a5, a6 + q / a7), q % a7);
            float top = f[x];
            for (int j = 1; j < a4; j++) top = max(top, f[x + j]);
            float total = 0f;
            for (int j = 0; j < a4; j++) total += exp(f[x + j] - top);
            float threshold = u * total, running = 0f;
            int pick = a4 - 1, found = 0;
            for (int j = 0; j < a4; j++) {
                running += exp(f[x + j] - top);
                if (found == 0 && running > threshold) {
                    pick = j;
                    found = 1;
                }
            }
            ints[a0 + r] = pick;
        }
    }

    // binaryCrossEntropy: a0 loss, a1 outcome (ints), a2 dlogits, a3 logits, a4 labels (ints), a5 mask (ints), a6 n, x0
    // gradScale

    private void binaryCrossEntropy() {
        int i = getGlobalId();
        if (i < a6) {
            if (ints[a5 + i] == 0) {
                f[a0 + i] = 0f;
                f[a2 + i] = 0f;
                ints[a1 + i] = 0;
            } else {
                float z = f[a3 + i];
                int y = ints[a4 + i];
                f[a0 + i] = max(z, 0f) + log(1f + exp(-abs(z))) - y * z;
                f[a2 + i] = (1f / (1f + exp(-z)) - y) * x0;
                int positive = 0;
                if (z > 0f) positive = 1;
                ints[a1 + i] = 1 + 2 * y + positive;
            }
        }
    }

    // ------------------------------------------------------------ optimiser support
    // a0 param/off/dst, a1 grad/src, a2 m/buf/sum/sqAvg, a3 v/accDelta, a4 n, a5 flag (nesterov), a6 partials
    // x0..x5 per optimiser

    /** small[g] = sum of squares of elements g, g + a6, g + 2 a6, ... (a6 partial sums, summed by the host). */
    private void sumOfSquares() {
        int g = getGlobalId();
        if (g < a6) {
            float s = 0f;
            for (int i = g; i < a4; i += a6) s += f[a0 + i] * f[a0 + i];
            small[g] = s;
        }
    }

    private void scale() {
        int i = getGlobalId();
        if (i < a4) f[a0 + i] = f[a0 + i] * x0;
    }

    private void axpy() {
        int i = getGlobalId();
        if (i < a4) f[a0 + i] += x0 * f[a1 + i];
    }

    /** x0 lr/bc1, x1 beta1, x2 beta2, x3 eps, x4 1 - lr wd, x5 sqrt(bc2). */
    private void adamw() {
        int i = getGlobalId();
        if (i < a4) {
            float g = f[a1 + i];
            float m = x1 * f[a2 + i] + (1f - x1) * g;
            float v = x2 * f[a3 + i] + (1f - x2) * g * g;
            f[a2 + i] = m;
            f[a3 + i] = v;
            f[a0 + i] = f[a0 + i] * x4 - x0 * m / (sqrt(v) / x5 + x3);
        }
    }

    /** x0 bc1, x1 beta1, x2 beta2, x3 eps, x4 wd, x5 bc2. */
    private void lambDirection() {
        int i = getGlobalId();
        if (i < a4) {
            float g = f[a1 + i];
            float m = x1 * f[a2 + i] + (1f - x1) * g;
            float v = x2 * f[a3 + i] + (1f - x2) * g * g;
            f[a2 + i] = m;
            f[a3 + i] = v;
            f[a1 + i] = (m / x0) / (sqrt(v / x5) + x3) + x4 * f[a0 + i];
        }
    }

    /** x0 lr, x1 momentum, x4 wd, a5 nesterov. */
    private void sgd() {
        int i = getGlobalId();
        if (i < a4) {
            float g = f[a1 + i] + x4 * f[a0 + i];
            if (x1 != 0f) {
                float b = x1 * f[a2 + i] + g;
                f[a2 + i] = b;
                if (a5 != 0) g = g + x1 * b;
                else g = b;
            }
            f[a0 + i] -= x0 * g;
        }
    }

    /** x0 lr, x3 eps, x4 wd. */
    private void adagrad() {
        int i = getGlobalId();
        if (i < a4) {
            float g = f[a1 + i] + x4 * f[a0 + i];
            float s = f[a2 + i] + g * g;
            f[a2 + i] = s;
            f[a0 + i] -= x0 * g / (sqrt(s) + x3);
        }
    }

    /** x0 lr, x1 rho, x3 eps, x4 wd. */
    private void adadelta() {
        int i = getGlobalId();
        if (i < a4) {
            float g = f[a1 + i] + x4 * f[a0 + i];
            float sq = x1 * f[a2 + i] + (1f - x1) * g * g;
            f[a2 + i] = sq;
            float delta = sqrt(f[a3 + i] + x3) / sqrt(sq + x3) * g;
            f[a3 + i] = x1 * f[a3 + i] + (1f - x1) * delta * delta;
            f[a0 + i] -= x0 * delta;
        }
    }
}
