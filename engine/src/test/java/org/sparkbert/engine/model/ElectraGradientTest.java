package org.sparkbert.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.backend.Backends;

/**
 * ELECTRA's generator and discriminator trained as one model: every parameter's gradient of the
 * generator's MLM loss + discriminator_weight x the discriminator's loss against central finite
 * differences. The samples are not differentiated, as in ELECTRA: the objective is smooth only where
 * they stay the same, so the differences are taken with the first pass's samples fixed. The shared
 * embeddings get both networks' gradients; factorised embeddings, so that both
 * embedding projections are exercised.
 */
class ElectraGradientTest {

    @Test
    void matchesFiniteDifferences() {
        // hidden 16, embedding 8: the generator (0.5 x: hidden 8, 1 head, intermediate 16) projects too
        ModelConfig config = new ModelConfig(
                31,
                16,
                2,
                2,
                32,
                8,
                2,
                0.1f,
                0.1f,
                1e-6f,
                0.3f,
                false,
                12,
                false,
                ModelConfig.ELECTRA,
                2,
                ModelConfig.ABSOLUTE,
                0.5f,
                3f);
        int B = 2, T = 6;
        Batch batch = new Batch(
                B,
                T,
                new int[] {2, 5, 9, 30, 4, 0, 2, 7, 7, 1, 0, 0},
                new int[] {0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0},
                new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
                new int[] {1, 3, 8},
                new int[] {17, 3, 29},
                new int[] {0, 0});
        try (BertModel model = new BertModel(config, Backends.cpu(2), B, T, 4, 0)) {
            model.initialize(3);
            Random random = new Random(9);
            for (Parameter p : model.parameters()) {
                if (!p.decays()) {
                    float[] v = model.read(p);
                    for (int i = 0; i < v.length; i++) v[i] += (float) random.nextGaussian() * 0.1f;
                    model.write(p, v);
                }
            }
            assertTrue(
                    model.parameters().stream()
                            .anyMatch(p -> p.name().equals("generator.electra.embeddings_project.weight")),
                    "the generator projects the shared embeddings");
            model.zeroGradients();
            Losses first = model.forward(batch, 1, 1, 1f);
            model.backward();
            assertEquals(10, first.detection().tokens(), "the discriminator reads the real tokens");
            assertTrue(first.detection().replaced() > 0, "the generator replaced some of the masked tokens");
            int[] drawn = model.generatorSamples();
            model.forward(batch, 1, 1, 1f);
            assertEquals(
                    java.util.Arrays.toString(drawn),
                    java.util.Arrays.toString(model.generatorSamples()),
                    "the same (seed, step, sequence) draws the same samples");
            model.fixSamples(drawn);
            double diff2 = 0, num2 = 0;
            float h = 1e-2f;
            for (Parameter p : model.parameters()) {
                float[] grad = model.gradient(p);
                float[] w = model.read(p);
                double pd2 = 0, pn2 = 0;
                for (int s = 0; s < 3; s++) {
                    int i = random.nextInt(p.size());
                    float x = w[i];
                    w[i] = x + h;
                    model.write(p, w);
                    double plus = objective(model.forward(batch, 1, 1, 1f), config);
                    w[i] = x - h;
                    model.write(p, w);
                    double minus = objective(model.forward(batch, 1, 1, 1f), config);
                    w[i] = x;
                    model.write(p, w);
                    double numeric = (plus - minus) / (2 * h);
                    pd2 += (numeric - grad[i]) * (numeric - grad[i]);
                    pn2 += numeric * numeric;
                }
                diff2 += pd2;
                num2 += pn2;
                assertTrue(
                        Math.sqrt(pd2) <= 0.05 * Math.sqrt(pn2) + 2e-3,
                        p.name() + ": |analytic - numeric| " + Math.sqrt(pd2) + " against |numeric| " + Math.sqrt(pn2));
            }
            assertTrue(Math.sqrt(diff2 / num2) < 0.02, "relative error over all parameters " + Math.sqrt(diff2 / num2));
        }
    }

    private static double objective(Losses l, ModelConfig config) {
        return l.mlmLoss() + config.discriminatorWeight() * l.detection().loss();
    }
}
