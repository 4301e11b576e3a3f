package org.sparkbert.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every operation of the opencl backend against the cpu backend on random inputs with awkward
 * shapes (not multiples of any tile or work-group size): ||opencl - cpu|| / ||cpu|| below 1e-4.
 * Forward outputs and the gradients backward ADDS to (pre-filled with random values, so a kernel
 * that overwrites instead of adding fails).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenClOpsTest {
    private static final double TOL = 1e-4;
    private TwinBackends twin;

    @BeforeAll
    void start() {
        twin = new TwinBackends(3 << 20, 1 << 12);
    }

    @AfterAll
    void stop() {
        twin.close();
    }

    @BeforeEach
    void fresh() {
        twin.reset();
    }

    @Test
    void gemmInAllFourLayouts() {
        int M = 37, N = 29, K = 45;
        for (int form = 0; form < 4; form++) {
            boolean tA = (form & 1) != 0, tB = (form & 2) != 0;
            int a = twin.floats(M * K, 1f), b = twin.floats(K * N, 1f), c = twin.floats(M * N, 1f);
            int lda = tA ? M : K, ldb = tB ? K : N;
            boolean acc = form % 2 == 0;
            twin.run(be -> be.gemm(tA, tB, M, N, K, a, lda, b, ldb, c, N, acc));
            twin.assertClose("gemm transA=" + tA + " transB=" + tB + " accumulate=" + acc, c, M * N, TOL);
        }
    }

    @Test
    void linearForwardAndBackward() {
        int M = 23, N = 19, K = 33;
        int inp = twin.floats(M * K, 1f),
                w = twin.floats(N * K, 0.5f),
                bias = twin.floats(N, 1f),
                out = twin.floats(M * N, 1f);
        twin.run(be -> be.linearForward(out, inp, w, bias, M, N, K));
        twin.assertClose("linear forward", out, M * N, TOL);
        int dout = twin.floats(M * N, 1f),
                dinp = twin.floats(M * K, 1f),
                dw = twin.floats(N * K, 1f),
                db = twin.floats(N, 1f);
        twin.run(be -> be.linearBackward(dinp, dw, db, dout, inp, w, M, N, K));
        twin.assertClose("linear dinp", dinp, M * K, TOL);
        twin.assertClose("linear dw", dw, N * K, TOL);
        twin.assertClose("linear dbias", db, N, TOL);
    }

    @Test
    void embeddingsWithRepeatedIds() {
        int B = 3, T = 7, C = 13, V = 11, P = 9;
        int[] ids = twin.randomInts(B * T, V), types = twin.randomInts(B * T, 2);
        int idOff = twin.ints(ids), typeOff = twin.ints(types);
        int wte = twin.floats(V * C, 1f),
                wpe = twin.floats(P * C, 1f),
                wtt = twin.floats(2 * C, 1f),
                out = twin.floats(B * T * C, 1f);
        twin.run(be -> be.embeddingForward(out, idOff, typeOff, wte, wpe, wtt, B, T, C));
        twin.assertClose("embedding forward", out, B * T * C, TOL);
        int dout = twin.floats(B * T * C, 1f),
                dwte = twin.floats(V * C, 1f),
                dwpe = twin.floats(P * C, 1f),
                dwtt = twin.floats(2 * C, 1f);
        twin.run(be -> be.embeddingBackward(dwte, dwpe, dwtt, dout, idOff, typeOff, B, T, C));
        twin.assertClose("embedding dwte", dwte, V * C, TOL);
        twin.assertClose("embedding dwpe", dwpe, P * C, TOL);
        twin.assertClose("embedding dwtt", dwtt, 2 * C, TOL);
    }

    @Test
    void gatherAndScatterRows() {
        int rows = 17, C = 21, n = 5;
        int rowOff = twin.ints(new int[] {3, 0, 16, 8, 9});
        int in = twin.floats(rows * C, 1f), out = twin.floats(n * C, 1f);
        twin.run(be -> be.gatherRows(out, in, rowOff, n, C));
        twin.assertClose("gather", out, n * C, TOL);
        int dout = twin.floats(n * C, 1f), din = twin.floats(rows * C, 1f);
        twin.run(be -> be.scatterAddRows(din, dout, rowOff, n, C));
        twin.assertClose("scatter-add", din, rows * C, TOL);
    }

    @Test
    void layerNormForwardAndBackward() {
        int N = 29, C = 37;
        int inp = twin.floats(N * C, 2f), w = twin.floats(C, 1f), b = twin.floats(C, 1f);
        int out = twin.floats(N * C, 1f), mean = twin.floats(N, 1f), rstd = twin.floats(N, 1f);
        twin.run(be -> be.layerNormForward(out, mean, rstd, inp, w, b, N, C, 1e-5f));
        twin.assertClose("layernorm out", out, N * C, TOL);
        twin.assertClose("layernorm mean", mean, N, TOL);
        twin.assertClose("layernorm rstd", rstd, N, TOL);
        int dout = twin.floats(N * C, 1f),
                dinp = twin.floats(N * C, 1f),
                dw = twin.floats(C, 1f),
                db = twin.floats(C, 1f);
        twin.run(be -> be.layerNormBackward(dinp, dw, db, dout, inp, w, mean, rstd, N, C));
        twin.assertClose("layernorm dinp", dinp, N * C, TOL);
        twin.assertClose("layernorm dw", dw, C, TOL);
        twin.assertClose("layernorm db", db, C, TOL);
    }

    @Test
    void elementWiseForwardAndBackward() {
        int n = 1001; // 13 sequences of 77
        int x = twin.floats(n, 3f), y = twin.floats(n, 1f), out = twin.floats(n, 1f), dout = twin.floats(n, 1f);
        int dx = twin.floats(n, 1f), dy = twin.floats(n, 1f);
        twin.run(be -> be.geluForward(out, x, n));
        twin.assertClose("gelu forward", out, n, TOL);
        twin.run(be -> be.geluBackward(dx, x, dout, n));
        twin.assertClose("gelu backward", dx, n, TOL);
        twin.run(be -> be.tanhForward(out, x, n));
        twin.assertClose("tanh forward", out, n, TOL);
        twin.run(be -> be.tanhBackward(dx, out, dout, n));
        twin.assertClose("tanh backward", dx, n, TOL);
        for (float p : new float[] {0f, 0.1f}) {
            twin.run(be -> be.dropoutForward(out, x, n, p, 12345, 5, 77));
            twin.assertClose("dropout forward p=" + p, out, n, TOL);
            twin.run(be -> be.dropoutBackward(dx, dout, n, p, 12345, 5, 77));
            twin.assertClose("dropout backward p=" + p, dx, n, TOL);
            twin.run(be -> be.residualForward(out, x, y, n, p, -777, 5, 77));
            twin.assertClose("residual forward p=" + p, out, n, TOL);
            twin.run(be -> be.residualBackward(dx, dy, dout, n, p, -777, 5, 77));
            twin.assertClose("residual dx p=" + p, dx, n, TOL);
            twin.assertClose("residual dy p=" + p, dy, n, TOL);
        }
    }

    @Test
    void attentionWithPaddingAndDropout() {
        int B = 2, T = 9, NH = 3, D = 5, C = NH * D;
        int[] mask = new int[B * T];
        for (int t = 0; t < T; t++) {
            mask[t] = 1;
            mask[T + t] = t < 6 ? 1 : 0;
        }
        int maskOff = twin.ints(mask);
        int qkv = twin.floats(B * T * 3 * C, 1.5f), dout = twin.floats(B * T * C, 1f);
        for (float p : new float[] {0f, 0.2f}) {
            int out = twin.floats(B * T * C, 1f),
                    att = twin.floats(B * NH * T * T, 1f),
                    attDrop = twin.floats(B * NH * T * T, 1f);
            int ad = p == 0f ? att : attDrop;
            twin.run(be -> be.attentionForward(out, att, ad, qkv, maskOff, B, T, NH, D, p, 99, 4));
            twin.assertClose("attention out p=" + p, out, B * T * C, TOL);
            twin.assertClose("attention probabilities p=" + p, att, B * NH * T * T, TOL);
            if (p != 0f) twin.assertClose("attention dropped probabilities", attDrop, B * NH * T * T, TOL);
            int dqkv = twin.floats(B * T * 3 * C, 1f);
            twin.run(be -> be.attentionBackward(dqkv, dout, att, ad, qkv, maskOff, B, T, NH, D, p, 99, 4));
            twin.assertClose("attention dqkv p=" + p, dqkv, B * T * 3 * C, TOL);
        }
    }

    /** Relative positions (relative_key and relative_key_query) and the biased attention they feed. */
    @Test
    void relativePositionsAndBiasedAttention() {
        int B = 2, T = 7, NH = 3, D = 5, C = NH * D, M = 11, R = 2 * M - 1;
        int[] mask = new int[B * T];
        for (int t = 0; t < T; t++) {
            mask[t] = 1;
            mask[T + t] = t < 5 ? 1 : 0;
        }
        int maskOff = twin.ints(mask);
        int qkv = twin.floats(B * T * 3 * C, 1.5f), dist = twin.floats(R * D, 1f), dout = twin.floats(B * T * C, 1f);
        for (boolean keyQuery : new boolean[] {false, true}) {
            String kind = keyQuery ? "relative_key_query" : "relative_key";
            int bias = twin.floats(B * NH * T * T, 1f);
            twin.run(be -> be.relativePositionForward(bias, qkv, dist, B, T, NH, D, M, keyQuery));
            twin.assertClose(kind + " scores", bias, B * NH * T * T, TOL);
            int out = twin.floats(B * T * C, 1f),
                    att = twin.floats(B * NH * T * T, 1f),
                    attDrop = twin.floats(B * NH * T * T, 1f);
            twin.run(be -> be.attentionForward(out, att, attDrop, qkv, maskOff, B, T, NH, D, 0.1f, 7, 2, bias));
            twin.assertClose(kind + " biased attention out", out, B * T * C, TOL);
            int dqkv = twin.floats(B * T * 3 * C, 1f),
                    dbias = twin.floats(B * NH * T * T, 1f),
                    ddist = twin.floats(R * D, 1f);
            twin.run(
                    be -> be.attentionBackward(dqkv, dout, att, attDrop, qkv, maskOff, B, T, NH, D, 0.1f, 7, 2, dbias));
            twin.assertClose(kind + " biased attention dbias", dbias, B * NH * T * T, TOL);
            twin.run(be -> be.relativePositionBackward(dqkv, ddist, dbias, qkv, dist, B, T, NH, D, M, keyQuery));
            twin.assertClose(kind + " dqkv", dqkv, B * T * 3 * C, TOL);
            twin.assertClose(kind + " ddist", ddist, R * D, TOL);
        }
    }

    /** No position table: embeddings add word and type rows only, and no position gradient is written. */
    @Test
    void embeddingsWithoutPositions() {
        int B = 2, T = 5, C = 9, V = 7;
        int idOff = twin.ints(twin.randomInts(B * T, V)), typeOff = twin.ints(twin.randomInts(B * T, 2));
        int wte = twin.floats(V * C, 1f), wtt = twin.floats(2 * C, 1f), out = twin.floats(B * T * C, 1f);
        twin.run(be -> be.embeddingForward(out, idOff, typeOff, wte, -1, wtt, B, T, C));
        twin.assertClose("embedding forward without positions", out, B * T * C, TOL);
        int dout = twin.floats(B * T * C, 1f), dwte = twin.floats(V * C, 1f), dwtt = twin.floats(2 * C, 1f);
        twin.run(be -> be.embeddingBackward(dwte, -1, dwtt, dout, idOff, typeOff, B, T, C));
        twin.assertClose("embedding dwte without positions", dwte, V * C, TOL);
        twin.assertClose("embedding dwtt without positions", dwtt, 2 * C, TOL);
    }

    /** Scores beyond the initial device scratch make the backend replace that buffer mid-run. */
    @Test
    void attentionBackwardGrowsItsScratch() {
        int B = 1, NH = 2, D = 3, C = NH * D;
        int T = (int) Math.sqrt(UnmovedArrays.minimumLength() / (double) NH) + 2;
        int[] mask = new int[T];
        java.util.Arrays.fill(mask, 1);
        int maskOff = twin.ints(mask);
        int qkv = twin.floats(T * 3 * C, 1f), dout = twin.floats(T * C, 1f), out = twin.floats(T * C, 1f);
        int att = twin.floats(NH * T * T, 1f), dqkv = twin.floats(T * 3 * C, 1f);
        twin.run(be -> be.attentionForward(out, att, att, qkv, maskOff, B, T, NH, D, 0f, 1, 0));
        twin.run(be -> be.attentionBackward(dqkv, dout, att, att, qkv, maskOff, B, T, NH, D, 0f, 1, 0));
        twin.assertClose("attention dqkv with a grown scratch", dqkv, T * 3 * C, TOL);
    }

    @Test
    void crossEntropyLossCorrectAndGradient() {
        int rows = 13, V = 97;
        int labels = twin.ints(twin.randomInts(rows, V));
        int logits = twin.floats(rows * V, 4f), loss = twin.floats(rows, 1f), dlogits = twin.floats(rows * V, 1f);
        int correct = twin.ints(new int[rows]);
        // one row whose arg-max is the label, so "correct" is not trivially all zero
        int[] label = new int[1];
        twin.cpu.readInts(labels, label, 0, 1);
        float[] big = {50f};
        twin.cpu.write(logits + label[0], big, 0, 1);
        twin.gpu.write(logits + label[0], big, 0, 1);
        twin.run(be -> be.crossEntropy(loss, correct, dlogits, logits, labels, rows, V, 0.25f));
        twin.assertClose("cross-entropy loss", loss, rows, TOL);
        twin.assertClose("cross-entropy dlogits", dlogits, rows * V, TOL);
        twin.assertIntsEqual("cross-entropy correct", correct, rows);
        int[] first = new int[1];
        twin.gpu.readInts(correct, first, 0, 1);
        assertEquals(1, first[0], "the row whose label has the largest logit counts as correct");
    }

    @Test
    void optimisersAndReductions() {
        int n = 5003;
        int p = twin.floats(n, 1f), g = twin.floats(n, 1f), s0 = twin.floats(n, 1f), s1 = twin.floats(n, 1f);
        twin.run(be -> {
            // state must stay non-negative where a square root is taken
            be.scale(s1, n, 0f);
            be.axpy(s1, g, n, 0.5f);
        });
        twin.assertClose("scale and axpy", s1, n, TOL);
        float[] expectedSum = new float[n];
        twin.cpu.read(g, expectedSum, 0, n);
        double want = 0;
        for (float v : expectedSum) want += (double) v * v;
        double got = twin.gpu.sumOfSquares(g, n);
        assertEquals(want, got, 1e-5 * want, "sum of squares");
        twin.run(be -> be.fill(s0, n, 0f));
        twin.run(be -> be.fill(s1, n, 0f));
        for (int step = 1; step <= 3; step++) {
            float bc1 = (float) (1 - Math.pow(0.9, step)), bc2 = (float) (1 - Math.pow(0.999, step));
            twin.run(be -> be.adamw(p, g, s0, s1, n, 1e-2f, 0.9f, 0.999f, 1e-6f, 0.01f, bc1, bc2));
        }
        twin.assertClose("adamw param", p, n, TOL);
        twin.assertClose("adamw m", s0, n, TOL);
        twin.assertClose("adamw v", s1, n, TOL);
        int g2 = twin.floats(n, 1f);
        twin.run(be -> be.lambDirection(p, g2, s0, s1, n, 0.9f, 0.999f, 1e-6f, 0.01f, 0.19f, 0.002f));
        twin.assertClose("lamb direction", g2, n, TOL);
        twin.assertClose("lamb m", s0, n, TOL);
        twin.run(be -> be.sgd(p, g, s0, n, 0.1f, 0.9f, true, 0.01f));
        twin.assertClose("sgd nesterov param", p, n, TOL);
        twin.assertClose("sgd buffer", s0, n, TOL);
        twin.run(be -> be.fill(s0, n, 0f));
        twin.run(be -> be.adagrad(p, g, s0, n, 0.1f, 1e-10f, 0.01f));
        twin.assertClose("adagrad param", p, n, TOL);
        twin.run(be -> be.fill(s0, n, 0f));
        twin.run(be -> be.fill(s1, n, 0f));
        twin.run(be -> be.adadelta(p, g, s0, s1, n, 1f, 0.9f, 1e-6f, 0.01f));
        twin.assertClose("adadelta param", p, n, TOL);
        twin.assertClose("adadelta accumulated delta", s1, n, TOL);
    }

    @Test
    void stagedTransfersRoundTripBeyondOneStage() {
        int n = (1 << 18) + 4099;
        int off = twin.floats(n, 1f);
        int copy = twin.floats(n, 1f);
        twin.run(be -> be.copy(copy, off, n));
        twin.assertClose("copy across staging chunks", copy, n, 1e-7);
    }
}
