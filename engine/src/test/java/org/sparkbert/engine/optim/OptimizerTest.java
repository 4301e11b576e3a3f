package org.sparkbert.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.model.Trainable;

/**
 * Three updates of a weight (decayed) and a bias (not decayed) against torch.optim 1.13 on the same
 * numbers (expected values printed by torch; weight decay 0.01 on the weight only), and LAMB against
 * a double-precision transcription of You et al.'s algorithm.
 */
class OptimizerTest {
    private static final float[] W0 = {0.5f, -1.25f, 2.0f, 0.125f, -0.75f};
    private static final float[] B0 = {0.1f, -0.2f, 0.3f};
    private static final float[][] GW = {
        {0.3f, -0.1f, 0.05f, 1.5f, -2.0f}, {-0.2f, 0.4f, 0.0f, 0.7f, 0.1f}, {0.9f, -0.8f, 0.3f, -0.2f, 0.6f}
    };
    private static final float[][] GB = {{0.01f, -0.5f, 0.2f}, {0.3f, 0.3f, -0.1f}, {-0.4f, 0.0f, 0.25f}};

    /** Two tensors in a bare arena: [w(5) b(3) | grads | state slots]. */
    static final class TwoTensors implements Trainable {
        final Backend backend = Backends.cpu(2);
        final List<Parameter> params = List.of(
                new Parameter("w.weight", new int[] {5}, 0, 8, 5, true),
                new Parameter("w.bias", new int[] {3}, 5, 13, 3, false));

        TwoTensors() {
            backend.allocate(8 * 4, 1);
            backend.write(0, W0, 0, 5);
            backend.write(5, B0, 0, 3);
        }

        void setGradients(int step) {
            backend.write(8, GW[step], 0, 5);
            backend.write(13, GB[step], 0, 3);
        }

        float[] values() {
            float[] out = new float[8];
            backend.read(0, out, 0, 8);
            return out;
        }

        @Override
        public Backend backend() {
            return backend;
        }

        @Override
        public List<Parameter> parameters() {
            return params;
        }

        @Override
        public int parameterCount() {
            return 8;
        }

        @Override
        public int gradientBase() {
            return 8;
        }

        @Override
        public int stateBase(int slot) {
            return 16 + 8 * slot;
        }
    }

    private static float[] expected(String name) {
        return switch (name) {
            case "adamw" ->
                new float[] {
                    3.208061755e-01f,
                    -1.165364742e+00f,
                    1.755750775e+00f,
                    -1.303601563e-01f,
                    -5.563657284e-01f,
                    -6.101930141e-02f,
                    -6.604766101e-02f,
                    1.120154709e-01f
                };
            case "sgd" ->
                new float[] {
                    3.639913797e-01f,
                    -1.211891413e+00f,
                    1.945258617e+00f,
                    -3.945608139e-01f,
                    -2.835459113e-01f,
                    8.028999716e-02f,
                    -1.215000078e-01f,
                    2.398000211e-01f
                };
            case "nesterov" ->
                new float[] {
                    2.762490213e-01f,
                    -1.161924601e+00f,
                    1.909786344e+00f,
                    -5.417580009e-01f,
                    -1.992958486e-01f,
                    9.126099944e-02f,
                    -1.093500108e-01f,
                    2.108200192e-01f
                };
            case "adagrad" ->
                new float[] {
                    3.612400889e-01f,
                    -1.156533241e+00f,
                    1.776297808e+00f,
                    -5.275463685e-03f,
                    -6.829732656e-01f,
                    -1.996048540e-02f,
                    -1.514495760e-01f,
                    1.701857746e-01f
                };
            case "adadelta" ->
                new float[] {
                    4.946185350e-01f,
                    -1.245600462e+00f,
                    1.991105914e+00f,
                    1.204886064e-01f,
                    -7.484133244e-01f,
                    9.759011865e-02f,
                    -1.992281824e-01f,
                    2.951757908e-01f
                };
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"adamw", "sgd", "nesterov", "adagrad", "adadelta"})
    void matchesTorch(String name) {
        Optimizer optimizer = Optimizer.named(name, 0.01f);
        float lr = name.equals("adadelta") ? 1.0f : 0.1f;
        TwoTensors model = new TwoTensors();
        try (Backend ignored = model.backend) {
            for (int t = 0; t < 3; t++) {
                model.setGradients(t);
                optimizer.step(model, lr, t + 1);
            }
            float[] got = model.values(), want = expected(name);
            for (int i = 0; i < 8; i++)
                assertEquals(want[i], got[i], 2e-6 * Math.max(1, Math.abs(want[i])), name + " value " + i);
        }
    }

    /**
     * The moments are the caller's: AdamW at beta1 0.8, beta2 0.98, eps 1e-8 against
     * torch.optim.AdamW(lr=0.1, betas=(0.8, 0.98), eps=1e-8) on the same three steps.
     */
    @Test
    void adamwTakesItsMomentsFromTheCaller() {
        Optimizer optimizer = Optimizer.named("adamw", 0.01f, new AdamMoments(0.8f, 0.98f, 1e-8f));
        float[] want = {
            3.222633302e-01f,
            -1.164527059e+00f,
            1.754339218e+00f,
            -1.222144812e-01f,
            -5.683141351e-01f,
            -5.855141580e-02f,
            -7.668140531e-02f,
            1.159143299e-01f
        };
        TwoTensors model = new TwoTensors();
        try (Backend ignored = model.backend) {
            for (int t = 0; t < 3; t++) {
                model.setGradients(t);
                optimizer.step(model, 0.1f, t + 1);
            }
            float[] got = model.values();
            for (int i = 0; i < 8; i++)
                assertEquals(want[i], got[i], 2e-6 * Math.max(1, Math.abs(want[i])), "value " + i);
        }
    }

    @Test
    void lambMatchesThePaper() {
        double[][] params = {toDouble(W0), toDouble(B0)};
        double[][][] grads = {
            {toDouble(GW[0]), toDouble(GB[0])}, {toDouble(GW[1]), toDouble(GB[1])}, {toDouble(GW[2]), toDouble(GB[2])}
        };
        double[][] m = {new double[5], new double[3]}, v = {new double[5], new double[3]};
        double b1 = 0.9, b2 = 0.999, eps = 1e-6, lr = 0.1;
        for (int t = 1; t <= 3; t++) {
            for (int k = 0; k < 2; k++) {
                double wd = k == 0 ? 0.01 : 0;
                double[] p = params[k], g = grads[t - 1][k], r = new double[p.length];
                double wn = 0, rn = 0;
                for (int i = 0; i < p.length; i++) {
                    m[k][i] = b1 * m[k][i] + (1 - b1) * g[i];
                    v[k][i] = b2 * v[k][i] + (1 - b2) * g[i] * g[i];
                    double mh = m[k][i] / (1 - Math.pow(b1, t)), vh = v[k][i] / (1 - Math.pow(b2, t));
                    r[i] = mh / (Math.sqrt(vh) + eps) + wd * p[i];
                    wn += p[i] * p[i];
                    rn += r[i] * r[i];
                }
                double trust = Math.sqrt(wn) / Math.sqrt(rn);
                for (int i = 0; i < p.length; i++) p[i] -= lr * trust * r[i];
            }
        }
        TwoTensors model = new TwoTensors();
        try (Backend ignored = model.backend) {
            Optimizer lamb = Optimizer.named("lamb", 0.01f);
            for (int t = 0; t < 3; t++) {
                model.setGradients(t);
                lamb.step(model, 0.1f, t + 1);
            }
            float[] got = model.values();
            for (int i = 0; i < 8; i++) {
                double want = i < 5 ? params[0][i] : params[1][i - 5];
                assertEquals(want, got[i], 1e-5 * Math.max(1, Math.abs(want)), "lamb value " + i);
            }
        }
    }

    @Test
    void clippingMatchesTorch() {
        TwoTensors model = new TwoTensors();
        try (Backend ignored = model.backend) {
            model.setGradients(0);
            double norm = GradientClipping.clip(model, 1.0f);
            assertEquals(2.577324390411377, norm, 1e-6);
            float[] want = {
                1.163997501e-01f,
                -3.879991546e-02f,
                1.939995773e-02f,
                5.819987059e-01f,
                -7.759982944e-01f,
                3.879991360e-03f,
                -1.939995736e-01f,
                7.759983093e-02f
            };
            float[] got = new float[8];
            model.backend.read(8, got, 0, 8);
            for (int i = 0; i < 8; i++) assertEquals(want[i], got[i], 1e-6, "clipped gradient " + i);
        }
    }

    @Test
    void linearWarmupThenDecay() {
        LinearSchedule s = new LinearSchedule(1e-3f, 10, 110);
        assertEquals(0f, s.rate(0));
        assertEquals(5e-4f, s.rate(5), 1e-9);
        assertEquals(1e-3f, s.rate(10), 1e-9);
        assertEquals(5e-4f, s.rate(60), 1e-9);
        // The last update (index 109) takes the last step of the decay; the rate reaches 0 at the end of the run.
        assertEquals(1e-5f, s.rate(109), 1e-10);
        assertEquals(0f, s.rate(110));
        assertEquals(0f, s.rate(200));
    }

    private static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
