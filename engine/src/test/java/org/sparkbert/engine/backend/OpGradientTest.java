package org.sparkbert.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every backward operation against central finite differences of its forward operation, on small
 * shapes: loss = sum(r * out) for a random r, so the backward pass runs with dout = r.
 * Relative error ||analytic - numeric|| / ||numeric||.
 */
class OpGradientTest {
    private CpuBackend be;
    private float[] f;
    private int top;
    private final Random random = new Random(7);

    @BeforeEach
    void setUp() {
        be = new CpuBackend(2);
        be.allocate(1 << 20, 1 << 12);
        f = be.floats();
        top = 0;
    }

    @AfterEach
    void tearDown() {
        be.close();
    }

    private int alloc(int n) {
        int off = top;
        top += n;
        return off;
    }

    private int randn(int n, float std) {
        int off = alloc(n);
        for (int i = 0; i < n; i++) f[off + i] = (float) random.nextGaussian() * std;
        return off;
    }

    private int ints(int... values) {
        be.writeInts(intTop, values, 0, values.length);
        int off = intTop;
        intTop += values.length;
        return off;
    }

    private int intTop;

    /**
     * Checks the gradient at grad (computed by backward with dout = r) against finite differences of
     * forward with respect to input[0..n).
     */
    private void check(
            String what,
            int input,
            int n,
            int out,
            int outN,
            int grad,
            Runnable forward,
            Runnable backward,
            int dout,
            float h,
            double tol) {
        forward.run();
        for (int i = 0; i < outN; i++) f[dout + i] = (float) random.nextGaussian();
        backward.run();
        double num2 = 0, diff2 = 0;
        for (int i = 0; i < n; i++) {
            float x = f[input + i];
            f[input + i] = x + h;
            forward.run();
            double plus = dot(out, dout, outN);
            f[input + i] = x - h;
            forward.run();
            double minus = dot(out, dout, outN);
            f[input + i] = x;
            double numeric = (plus - minus) / (2 * h);
            num2 += numeric * numeric;
            diff2 += (numeric - f[grad + i]) * (numeric - f[grad + i]);
        }
        forward.run();
        double rel = Math.sqrt(diff2 / num2);
        assertTrue(num2 > 0, what + ": numeric gradient is zero, the check would be empty");
        assertTrue(rel < tol, what + ": relative error " + rel + " >= " + tol);
    }

    private double dot(int a, int b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) f[a + i] * f[b + i];
        return s;
    }

    @Test
    void linear() {
        int M = 7, N = 5, K = 9;
        int x = randn(M * K, 1), w = randn(N * K, 1), b = randn(N, 1), y = alloc(M * N), dy = alloc(M * N);
        int dx = alloc(M * K), dw = alloc(N * K), db = alloc(N);
        Runnable fwd = () -> be.linearForward(y, x, w, b, M, N, K);
        Runnable bwd = () -> {
            be.fill(dx, M * K, 0);
            be.fill(dw, N * K, 0);
            be.fill(db, N, 0);
            be.linearBackward(dx, dw, db, dy, x, w, M, N, K);
        };
        check("linear dinp", x, M * K, y, M * N, dx, fwd, bwd, dy, 1e-2f, 1e-3);
        check("linear dweight", w, N * K, y, M * N, dw, fwd, bwd, dy, 1e-2f, 1e-3);
        check("linear dbias", b, N, y, M * N, db, fwd, bwd, dy, 1e-2f, 1e-3);
    }

    @Test
    void embedding() {
        int B = 2, T = 3, C = 4, V = 5;
        int ids = ints(1, 4, 1, 0, 1, 3), types = ints(0, 0, 1, 1, 0, 1);
        int wte = randn(V * C, 1),
                wpe = randn(T * C, 1),
                wtt = randn(2 * C, 1),
                out = alloc(B * T * C),
                dout = alloc(B * T * C);
        int dwte = alloc(V * C), dwpe = alloc(T * C), dwtt = alloc(2 * C);
        Runnable fwd = () -> be.embeddingForward(out, ids, types, wte, wpe, wtt, B, T, C);
        Runnable bwd = () -> {
            be.fill(dwte, V * C, 0);
            be.fill(dwpe, T * C, 0);
            be.fill(dwtt, 2 * C, 0);
            be.embeddingBackward(dwte, dwpe, dwtt, dout, ids, types, B, T, C);
        };
        check("embedding word", wte, V * C, out, B * T * C, dwte, fwd, bwd, dout, 1e-2f, 1e-4);
        check("embedding position", wpe, T * C, out, B * T * C, dwpe, fwd, bwd, dout, 1e-2f, 1e-4);
        check("embedding type", wtt, 2 * C, out, B * T * C, dwtt, fwd, bwd, dout, 1e-2f, 1e-4);
    }

    @Test
    void gatherAndScatter() {
        int n = 3, C = 4, R = 6;
        int rows = ints(5, 0, 2);
        int in = randn(R * C, 1), out = alloc(n * C), dout = alloc(n * C), din = alloc(R * C);
        check(
                "gather rows",
                in,
                R * C,
                out,
                n * C,
                din,
                () -> be.gatherRows(out, in, rows, n, C),
                () -> {
                    be.fill(din, R * C, 0);
                    be.scatterAddRows(din, dout, rows, n, C);
                },
                dout,
                1e-2f,
                1e-4);
    }

    @Test
    void layerNorm() {
        int N = 4, C = 24;
        int x = randn(N * C, 1), w = randn(C, 1), b = randn(C, 1), y = alloc(N * C), dy = alloc(N * C);
        int mean = alloc(N), rstd = alloc(N), dx = alloc(N * C), dw = alloc(C), db = alloc(C);
        Runnable fwd = () -> be.layerNormForward(y, mean, rstd, x, w, b, N, C, 1e-5f);
        Runnable bwd = () -> {
            be.fill(dx, N * C, 0);
            be.fill(dw, C, 0);
            be.fill(db, C, 0);
            be.layerNormBackward(dx, dw, db, dy, x, w, mean, rstd, N, C);
        };
        check("layernorm dinp", x, N * C, y, N * C, dx, fwd, bwd, dy, 1e-2f, 3e-3);
        check("layernorm dweight", w, C, y, N * C, dw, fwd, bwd, dy, 1e-2f, 1e-3);
        check("layernorm dbias", b, C, y, N * C, db, fwd, bwd, dy, 1e-2f, 1e-3);
    }

    @Test
    void gelu() {
        int n = 77; // not a multiple of the vector length: the scalar tail is checked too
        int x = randn(n, 2), y = alloc(n), dy = alloc(n), dx = alloc(n);
        check(
                "gelu",
                x,
                n,
                y,
                n,
                dx,
                () -> be.geluForward(y, x, n),
                () -> {
                    be.fill(dx, n, 0);
                    be.geluBackward(dx, x, dy, n);
                },
                dy,
                1e-2f,
                1e-3);
    }

    @Test
    void tanh() {
        int n = 33;
        int x = randn(n, 1), y = alloc(n), dy = alloc(n), dx = alloc(n);
        check(
                "tanh",
                x,
                n,
                y,
                n,
                dx,
                () -> be.tanhForward(y, x, n),
                () -> {
                    be.fill(dx, n, 0);
                    be.tanhBackward(dx, y, dy, n);
                },
                dy,
                1e-2f,
                1e-3);
    }

    @Test
    void dropoutAndResidual() {
        int n = 200, per = 40, first = 7;
        int key = CounterRng.key(1, 2, 3);
        int x = randn(n, 1), y = randn(n, 1), out = alloc(n), dout = alloc(n), dx = alloc(n), dy = alloc(n);
        check(
                "dropout",
                y,
                n,
                out,
                n,
                dy,
                () -> be.dropoutForward(out, y, n, 0.3f, key, first, per),
                () -> {
                    be.fill(dy, n, 0);
                    be.dropoutBackward(dy, dout, n, 0.3f, key, first, per);
                },
                dout,
                1e-2f,
                1e-4);
        Runnable fwd = () -> be.residualForward(out, x, y, n, 0.3f, key, first, per);
        Runnable bwd = () -> {
            be.fill(dx, n, 0);
            be.fill(dy, n, 0);
            be.residualBackward(dx, dy, dout, n, 0.3f, key, first, per);
        };
        check("residual dx", x, n, out, n, dx, fwd, bwd, dout, 1e-2f, 1e-4);
        check("residual dy", y, n, out, n, dy, fwd, bwd, dout, 1e-2f, 1e-4);
        int dropped = 0;
        be.dropoutForward(out, y, n, 0.3f, key, first, per);
        for (int i = 0; i < n; i++) {
            if (f[out + i] == 0f) dropped++;
            // vector lanes and the scalar tail (40 = 2 x 16 + 8 per sequence) must both follow CounterRng.uniform
            int sequenceKey = CounterRng.sequenceKey(key, first + i / per);
            assertTrue((f[out + i] == 0f) == (CounterRng.uniform(sequenceKey, i % per) < 0.3f), "dropout mask at " + i);
        }
        assertTrue(dropped > 35 && dropped < 85, "dropout 0.3 of 200 dropped " + dropped);
    }

    /** A sequence's mask depends on its global index only, not on its row in the buffer. */
    @Test
    void dropoutMaskFollowsTheGlobalSequence() {
        int per = 37, n = 5 * per;
        int key = CounterRng.key(4, 9, 1);
        int y = randn(n, 1), x = randn(n, 1), whole = alloc(n), part = alloc(2 * per);
        be.residualForward(whole, x, y, n, 0.4f, key, 10, per);
        // sequences 12 and 13 alone: rows 2 and 3 of the whole buffer
        be.residualForward(part, x + 2 * per, y + 2 * per, 2 * per, 0.4f, key, 12, per);
        for (int i = 0; i < 2 * per; i++) assertEquals(f[whole + 2 * per + i], f[part + i], "element " + i);
        be.dropoutForward(part, y + 2 * per, 2 * per, 0.4f, key, 13, per);
        int differ = 0;
        for (int i = 0; i < 2 * per; i++)
            if ((f[part + i] == 0f) != (f[whole + 2 * per + i] == f[x + 2 * per + i])) differ++;
        assertTrue(
                differ > 10, "another global index must give another mask, " + differ + " of " + 2 * per + " differ");
    }

    @Test
    void attention() {
        for (float p : new float[] {0f, 0.2f}) {
            int B = 2, T = 5, NH = 2, D = 3, C = NH * D;
            int mask = ints(1, 1, 1, 0, 0, 1, 1, 1, 1, 1);
            int qkv = randn(B * T * 3 * C, 1), att = alloc(B * NH * T * T), attDrop = alloc(B * NH * T * T);
            int out = alloc(B * T * C), dout = alloc(B * T * C), dqkv = alloc(B * T * 3 * C);
            int key = CounterRng.key(3, 4, 5);
            check(
                    "attention p=" + p,
                    qkv,
                    B * T * 3 * C,
                    out,
                    B * T * C,
                    dqkv,
                    () -> be.attentionForward(out, att, attDrop, qkv, mask, B, T, NH, D, p, key, 3),
                    () -> {
                        be.fill(dqkv, B * T * 3 * C, 0);
                        be.attentionBackward(dqkv, dout, att, attDrop, qkv, mask, B, T, NH, D, p, key, 3);
                    },
                    dout,
                    1e-2f,
                    2e-3);
            for (int t = 0; t < T; t++) {
                for (int h = 0; h < NH; h++) {
                    assertTrue(
                            f[att + (h * T + t) * T + 3] == 0f && f[att + (h * T + t) * T + 4] == 0f,
                            "masked keys must get probability 0");
                }
            }
        }
    }

    /** Scores with an added bias (relative positions): the gradient reaches both qkv and the bias, with masked keys. */
    @Test
    void attentionWithAScoreBias() {
        int B = 2, T = 5, NH = 2, D = 3, C = NH * D;
        int mask = ints(1, 1, 1, 1, 0, 1, 1, 1, 1, 1);
        int qkv = randn(B * T * 3 * C, 1), bias = randn(B * NH * T * T, 1), att = alloc(B * NH * T * T);
        int attDrop = alloc(B * NH * T * T), out = alloc(B * T * C), dout = alloc(B * T * C);
        int dqkv = alloc(B * T * 3 * C), dbias = alloc(B * NH * T * T);
        int key = CounterRng.key(2, 3, 4);
        Runnable fwd = () -> be.attentionForward(out, att, attDrop, qkv, mask, B, T, NH, D, 0.2f, key, 1, bias);
        Runnable bwd = () -> {
            be.fill(dqkv, B * T * 3 * C, 0);
            be.fill(dbias, B * NH * T * T, 0);
            be.attentionBackward(dqkv, dout, att, attDrop, qkv, mask, B, T, NH, D, 0.2f, key, 1, dbias);
        };
        check("biased attention dqkv", qkv, B * T * 3 * C, out, B * T * C, dqkv, fwd, bwd, dout, 1e-2f, 2e-3);
        check("biased attention dbias", bias, B * NH * T * T, out, B * T * C, dbias, fwd, bwd, dout, 1e-2f, 2e-3);
    }

    /**
     * Relative-position scores against finite differences with respect to q, k (relative_key_query
     * only) and the distance table, with T < M so that only the middle rows of the table are used.
     */
    @Test
    void relativePositions() {
        for (boolean keyQuery : new boolean[] {false, true}) {
            int B = 2, T = 4, NH = 2, D = 3, C = NH * D, M = 6, R = 2 * M - 1;
            int qkv = randn(B * T * 3 * C, 1),
                    dist = randn(R * D, 1),
                    bias = alloc(B * NH * T * T),
                    dbias = alloc(B * NH * T * T);
            int dqkv = alloc(B * T * 3 * C), ddist = alloc(R * D);
            Runnable fwd = () -> be.relativePositionForward(bias, qkv, dist, B, T, NH, D, M, keyQuery);
            Runnable bwd = () -> {
                be.fill(dqkv, B * T * 3 * C, 0);
                be.fill(ddist, R * D, 0);
                be.relativePositionBackward(dqkv, ddist, dbias, qkv, dist, B, T, NH, D, M, keyQuery);
            };
            String kind = keyQuery ? "relative_key_query" : "relative_key";
            check(kind + " dqkv", qkv, B * T * 3 * C, bias, B * NH * T * T, dqkv, fwd, bwd, dbias, 1e-2f, 1e-3);
            check(kind + " ddist", dist, R * D, bias, B * NH * T * T, ddist, fwd, bwd, dbias, 1e-2f, 1e-3);
            // rows of distances no pair of positions has (|l - r| >= T) get no gradient
            for (int row = 0; row < R; row++) {
                boolean used = Math.abs(row - (M - 1)) < T;
                for (int d = 0; d < D; d++) {
                    assertTrue(
                            used || f[ddist + row * D + d] == 0f, kind + ": distance row " + row + " is out of reach");
                }
            }
            // the value parts of dqkv (and the key parts for relative_key) stay zero
            for (int i = 0; i < B * T * 3 * C; i++) {
                int part = (i % (3 * C)) / C;
                if (part == 2 || (part == 1 && !keyQuery)) assertEquals(0f, f[dqkv + i], kind + " dqkv " + i);
            }
        }
    }

    /** Without a position table (relative positions), only the word and type tables take part. */
    @Test
    void embeddingWithoutPositions() {
        int B = 2, T = 3, C = 4, V = 5;
        int ids = ints(1, 4, 1, 0, 1, 3), types = ints(0, 0, 1, 1, 0, 1);
        int wte = randn(V * C, 1), wtt = randn(2 * C, 1), out = alloc(B * T * C), dout = alloc(B * T * C);
        int dwte = alloc(V * C), dwtt = alloc(2 * C);
        Runnable fwd = () -> be.embeddingForward(out, ids, types, wte, -1, wtt, B, T, C);
        Runnable bwd = () -> {
            be.fill(dwte, V * C, 0);
            be.fill(dwtt, 2 * C, 0);
            be.embeddingBackward(dwte, -1, dwtt, dout, ids, types, B, T, C);
        };
        check("embedding word, no positions", wte, V * C, out, B * T * C, dwte, fwd, bwd, dout, 1e-2f, 1e-4);
        check("embedding type, no positions", wtt, 2 * C, out, B * T * C, dwtt, fwd, bwd, dout, 1e-2f, 1e-4);
        fwd.run();
        assertEquals(f[wte + C] + f[wtt], f[out], 1e-6f, "word 1 + type 0, nothing else");
    }

    /** T = 21 runs the vectorised softmax (one full vector of keys) and its scalar tail, with padding in both. */
    @Test
    void attentionLongerThanOneVector() {
        int B = 1, T = 21, NH = 2, D = 2, C = NH * D;
        int[] m = new int[T];
        for (int t = 0; t < T; t++) m[t] = (t == 3 || t == 9 || t >= 19) ? 0 : 1;
        int mask = ints(m);
        int qkv = randn(B * T * 3 * C, 1), att = alloc(B * NH * T * T), attDrop = alloc(B * NH * T * T);
        int out = alloc(B * T * C), dout = alloc(B * T * C), dqkv = alloc(B * T * 3 * C);
        int key = CounterRng.key(8, 1, 2);
        check(
                "attention T=21",
                qkv,
                B * T * 3 * C,
                out,
                B * T * C,
                dqkv,
                () -> be.attentionForward(out, att, attDrop, qkv, mask, B, T, NH, D, 0.1f, key, 0),
                () -> {
                    be.fill(dqkv, B * T * 3 * C, 0);
                    be.attentionBackward(dqkv, dout, att, attDrop, qkv, mask, B, T, NH, D, 0.1f, key, 0);
                },
                dout,
                1e-2f,
                2e-3);
        for (int row = 0; row < NH * T; row++) {
            double sum = 0;
            for (int j = 0; j < T; j++) {
                float pr = f[att + row * T + j];
                if (m[j] == 0) assertTrue(pr == 0f, "masked key " + j + " of row " + row);
                sum += pr;
            }
            assertTrue(Math.abs(sum - 1) < 1e-5, "probabilities of row " + row + " sum to " + sum);
        }
    }

    @Test
    void crossEntropy() {
        int rows = 4, V = 37;
        int labels = ints(3, 0, 36, 17), correct = ints(0, 0, 0, 0);
        int logits = randn(rows * V, 2), loss = alloc(rows), dlogits = alloc(rows * V), ones = alloc(rows);
        be.fill(ones, rows, 1f);
        // d(sum of losses * 0.5)/dlogits, with the loss vector as the output and 0.5 as dout
        float scale = 0.5f;
        Runnable fwd = () -> be.crossEntropy(loss, correct, dlogits, logits, labels, rows, V, scale);
        be.fill(ones, rows, scale);
        fwd.run();
        float[] analytic = new float[rows * V];
        be.read(dlogits, analytic, 0, rows * V);
        double num2 = 0, diff2 = 0;
        float h = 1e-2f;
        for (int i = 0; i < rows * V; i++) {
            float x = f[logits + i];
            f[logits + i] = x + h;
            fwd.run();
            double plus = dot(loss, ones, rows);
            f[logits + i] = x - h;
            fwd.run();
            double minus = dot(loss, ones, rows);
            f[logits + i] = x;
            double numeric = (plus - minus) / (2 * h);
            num2 += numeric * numeric;
            diff2 += (numeric - analytic[i]) * (numeric - analytic[i]);
        }
        assertTrue(Math.sqrt(diff2 / num2) < 1e-3, "cross-entropy relative error " + Math.sqrt(diff2 / num2));
        fwd.run();
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            int arg = 0;
            for (int j = 0; j < V; j++)
                if (f[logits + r * V + j] > max) {
                    max = f[logits + r * V + j];
                    arg = j;
                }
            for (int j = 0; j < V; j++) sum += Math.exp(f[logits + r * V + j] - max);
            int label = new int[] {3, 0, 36, 17}[r];
            double expected = Math.log(sum) + max - f[logits + r * V + label];
            assertTrue(Math.abs(f[loss + r] - expected) < 1e-5 * Math.max(1, expected), "loss of row " + r);
            int[] got = new int[1];
            be.readInts(correct + r, got, 0, 1);
            assertTrue(got[0] == (arg == label ? 1 : 0), "accuracy flag of row " + r);
        }
    }
}
