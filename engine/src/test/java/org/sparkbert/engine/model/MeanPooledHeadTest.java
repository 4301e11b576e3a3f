package org.sparkbert.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.backend.Backends;

/**
 * The mean-pooled sentence head (SentencePooling.MEAN): its outputs equal the classifier applied by
 * hand to the mean of the final hidden states over each sequence's attended tokens, its gradient
 * matches central finite differences of the loss, the unused [CLS] pooler gets none, and OpenCL
 * (POCL) gives the cpu backend's outputs and gradients.
 */
class MeanPooledHeadTest {

    private static final ModelConfig CONFIG =
            new ModelConfig(31, 16, 2, 2, 32, 8, 2, 0f, 0f, 1e-6f, 0.3f, false, 16, false, "nsp", 3, "absolute");
    private static final int B = 2, T = 6, H = 16;
    private static final Batch BATCH = new Batch(
            B,
            T,
            new int[] {2, 5, 9, 30, 4, 0, 2, 7, 7, 1, 0, 0},
            new int[] {0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0},
            new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
            new int[0],
            new int[0],
            new int[] {2, 0});

    @Test
    void outputsAreTheClassifierOfTheMeanHiddenState() {
        try (BertModel model = model("cpu")) {
            model.forward(BATCH, 1, 1, 1f);
            float[] hidden = model.hiddenStates();
            float[] w = model.read(model.parameter("cls.seq_relationship.weight"));
            float[] bias = model.read(model.parameter("cls.seq_relationship.bias"));
            int[] lengths = {6, 4};
            float[] logits = model.sentenceLogits();
            for (int b = 0; b < B; b++) {
                double[] mean = new double[H];
                for (int t = 0; t < lengths[b]; t++) {
                    for (int j = 0; j < H; j++) mean[j] += hidden[(b * T + t) * H + j] / (double) lengths[b];
                }
                for (int k = 0; k < 3; k++) {
                    double expected = bias[k];
                    for (int j = 0; j < H; j++) expected += w[k * H + j] * mean[j];
                    assertEquals(expected, logits[b * 3 + k], 1e-5, "sequence " + b + " label " + k);
                }
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAndThePoolerGetsNone() {
        try (BertModel model = model("cpu")) {
            model.zeroGradients();
            model.forward(BATCH, 1, 1, 1f);
            model.backward();
            Random random = new Random(5);
            float h = 1e-2f;
            double diff2 = 0, num2 = 0;
            for (Parameter p : model.parameters()) {
                float[] grad = model.gradient(p);
                if (p.name().contains("pooler")) {
                    assertArrayEquals(new float[p.size()], grad, p.name() + " is not on the mean head's path");
                    continue;
                }
                float[] w = model.read(p);
                for (int s = 0; s < 3; s++) {
                    int i = random.nextInt(p.size());
                    float x = w[i];
                    w[i] = x + h;
                    model.write(p, w);
                    double plus = model.forward(BATCH, 1, 1, 1f).loss();
                    w[i] = x - h;
                    model.write(p, w);
                    double minus = model.forward(BATCH, 1, 1, 1f).loss();
                    w[i] = x;
                    model.write(p, w);
                    double numeric = (plus - minus) / (2 * h);
                    diff2 += (numeric - grad[i]) * (numeric - grad[i]);
                    num2 += numeric * numeric;
                }
            }
            double rel = Math.sqrt(diff2 / num2);
            assertTrue(num2 > 0 && rel < 1e-2, "sampled entries: relative error " + rel);
        }
    }

    @Test
    void openClGivesTheCpuBackendsOutputsAndGradients() {
        float[][] logits = new float[2][];
        float[][] gradients = new float[2][];
        String[] backends = {"cpu", "opencl"};
        for (int i = 0; i < 2; i++) {
            try (BertModel model = model(backends[i])) {
                model.zeroGradients();
                model.forward(BATCH, 1, 1, 1f);
                model.backward();
                logits[i] = model.sentenceLogits();
                gradients[i] = model.gradient(model.parameter("bert.embeddings.word_embeddings.weight"));
            }
        }
        assertArrayEquals(logits[0], logits[1], 1e-5f);
        assertArrayEquals(gradients[0], gradients[1], 1e-5f);
    }

    private static BertModel model(String backend) {
        BertModel model = new BertModel(CONFIG, Backends.create(backend, "0", 2), B, T, 1, 0);
        model.initialize(3);
        model.sentencePooling(SentencePooling.MEAN);
        return model;
    }
}
