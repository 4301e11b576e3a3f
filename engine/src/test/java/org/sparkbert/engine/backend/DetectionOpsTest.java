package org.sparkbert.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ELECTRA's two operations on the cpu backend: the discriminator's binary cross-entropy against its
 * formula in double and its gradient against central finite differences; the generator's sampling
 * against an inverse CDF computed here in double from the same counter-based uniforms, and its
 * frequencies against the softmax.
 */
class DetectionOpsTest {
    private CpuBackend be;
    private float[] f;

    @BeforeEach
    void setUp() {
        be = new CpuBackend(2);
        be.allocate(1 << 20, 1 << 16);
        f = be.floats();
    }

    @AfterEach
    void tearDown() {
        be.close();
    }

    @Test
    void binaryCrossEntropyMatchesItsFormulaAndFiniteDifferences() {
        int n = 9, logits = 0, loss = 100, dlogits = 200;
        int labelsAt = 0, maskAt = 100, outcomeAt = 200;
        int[] labels = {1, 0, 0, 1, 1, 0, 1, 0, 1}, mask = {1, 1, 1, 1, 1, 1, 1, 0, 0};
        float[] z = {2.5f, -1.2f, 0.7f, -3.1f, 0.01f, 30f, -25f, 1f, -1f};
        System.arraycopy(z, 0, f, logits, n);
        be.writeInts(labelsAt, labels, 0, n);
        be.writeInts(maskAt, mask, 0, n);
        float scale = 0.25f;
        Runnable forward = () -> be.binaryCrossEntropy(loss, outcomeAt, dlogits, logits, labelsAt, maskAt, n, scale);
        forward.run();
        int[] outcome = new int[n];
        be.readInts(outcomeAt, outcome, 0, n);
        for (int i = 0; i < n; i++) {
            if (mask[i] == 0) {
                assertEquals(0f, f[loss + i], "padding has no loss");
                assertEquals(0f, f[dlogits + i], "padding has no gradient");
                assertEquals(0, outcome[i], "padding has no outcome");
                continue;
            }
            double expected = Math.log1p(Math.exp(z[i])) - labels[i] * (double) z[i]; // -log sigmoid(+-z), in double
            assertEquals(expected, f[loss + i], 1e-5 * Math.max(1, Math.abs(expected)), "loss of token " + i);
            boolean predicted = z[i] > 0;
            int want = labels[i] == 1 ? (predicted ? 4 : 3) : (predicted ? 2 : 1);
            assertEquals(want, outcome[i], "outcome of token " + i);
        }
        float[] analytic = new float[n];
        System.arraycopy(f, dlogits, analytic, 0, n);
        float h = 1e-2f;
        for (int i = 0; i < n; i++) {
            float x = f[logits + i];
            f[logits + i] = x + h;
            forward.run();
            double plus = sum(loss, n);
            f[logits + i] = x - h;
            forward.run();
            double minus = sum(loss, n);
            f[logits + i] = x;
            double numeric = scale * (plus - minus) / (2 * h);
            assertEquals(numeric, analytic[i], 1e-3 + 1e-3 * Math.abs(numeric), "d loss / d logit " + i);
        }
    }

    @Test
    void samplesFollowTheInverseCdfOfTheCounterUniforms() {
        int V = 23, rows = 300, T = 50, key = CounterRng.key(5, 3, 77), firstSequence = 11;
        Random random = new Random(3);
        int logits = 0, positionsAt = 0, outAt = 1000;
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) positions[r] = r * 7 + r % 5;
        for (int i = 0; i < rows * V; i++) f[logits + i] = (float) random.nextGaussian() * 2;
        be.writeInts(positionsAt, positions, 0, rows);
        be.sampleTokens(outAt, logits, positionsAt, rows, V, key, firstSequence, T);
        int[] drawn = new int[rows];
        be.readInts(outAt, drawn, 0, rows);
        int[] expected = new int[rows];
        for (int r = 0; r < rows; r++) {
            int q = positions[r];
            double u = CounterRng.uniform(CounterRng.sequenceKey(key, firstSequence + q / T), q % T);
            double[] p = softmax(logits + r * V, V);
            double cumulative = 0;
            expected[r] = V - 1;
            for (int j = 0; j < V; j++) {
                cumulative += p[j];
                if (cumulative > u) {
                    expected[r] = j;
                    break;
                }
            }
        }
        assertArrayEquals(expected, drawn, "one uniform per (sequence, position), inverted through the softmax CDF");

        // the same position of the same global sequence draws the same token from any row of the buffer
        int shifted = 2000;
        for (int j = 0; j < V; j++) f[shifted + j] = f[logits + 40 * V + j];
        be.writeInts(positionsAt, new int[] {positions[40] - 2 * T}, 0, 1);
        be.sampleTokens(outAt, shifted, positionsAt, 1, V, key, firstSequence + 2, T);
        int[] one = new int[1];
        be.readInts(outAt, one, 0, 1);
        assertEquals(drawn[40], one[0], "a draw is keyed by the global sequence, not the buffer row");
    }

    @Test
    void sampleFrequenciesMatchTheSoftmax() {
        int V = 5, rows = 20000, T = 100;
        float[] row = {1.5f, -0.5f, 0.3f, 2.0f, -2.0f};
        int logits = 0, positionsAt = 0, outAt = 30000;
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) {
            positions[r] = r;
            System.arraycopy(row, 0, f, logits + r * V, V);
        }
        be.writeInts(positionsAt, positions, 0, rows);
        be.sampleTokens(outAt, logits, positionsAt, rows, V, CounterRng.key(1, 1, 1), 0, T);
        int[] drawn = new int[rows];
        be.readInts(outAt, drawn, 0, rows);
        double[] p = softmax(logits, V);
        int[] counts = new int[V];
        for (int d : drawn) counts[d]++;
        for (int j = 0; j < V; j++) {
            double sd = Math.sqrt(rows * p[j] * (1 - p[j]));
            assertTrue(
                    Math.abs(counts[j] - rows * p[j]) < 4 * sd,
                    "token " + j + ": " + counts[j] + " draws, expected " + rows * p[j]);
        }
    }

    private double[] softmax(int off, int V) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < V; j++) max = Math.max(max, f[off + j]);
        double[] p = new double[V];
        for (int j = 0; j < V; j++) sum += p[j] = Math.exp(f[off + j] - max);
        for (int j = 0; j < V; j++) p[j] /= sum;
        return p;
    }

    private double sum(int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += f[off + i];
        return s;
    }
}
