package org.sparkbert.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.checkpoint.Safetensors;
import org.sparkbert.engine.loop.StepMetrics;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.Losses;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.optim.Optimizer;

/**
 * The whole model on the opencl backend (POCL, shared memory off): PyTorch's golden forward and
 * backward, the cpu backend's loss curve over a short training run, and transfers per step that do
 * not depend on the model's size.
 */
class OpenClModelTest {

    private static OpenClBackend opencl() {
        return openclBackend();
    }

    /** The opencl backend on POCL with shared memory off, for the other OpenCL model tests too. */
    static OpenClBackend openclBackend() {
        return new OpenClBackend(TwinBackends.poclDevice(), 1, false);
    }

    /** Same fixtures and tolerances as the cpu backend's GoldenModelTest: 1e-4 on losses and logits, 1e-3 on gradients. */
    @ParameterizedTest
    @ValueSource(strings = {"post_ln", "pre_ln", "albert", "relative_key", "relative_key_query", "sinusoidal"})
    void matchesPyTorchGoldenValues(String variant) throws IOException {
        ModelConfig config = config(variant);
        Safetensors.Contents weights = read(variant, "weights"),
                batchFile = read(variant, "batch"),
                expected = read(variant, "expected");
        Batch batch = batch(batchFile);
        try (BertModel model =
                new BertModel(config, opencl(), batch.batchSize(), batch.seqLength(), batch.predictions(), 0)) {
            for (Parameter p : model.parameters())
                model.write(p, weights.tensor(p.name()).floats());
            model.zeroGradients();
            Losses losses = model.forward(batch, 0, 0, 1f);
            model.backward();
            assertRelative(
                    expected.tensor("loss").floats(), new float[] {(float) losses.loss()}, 1e-4, variant + " loss");
            assertRelative(
                    expected.tensor("mlm_loss").floats(),
                    new float[] {(float) losses.mlmLoss()},
                    1e-4,
                    variant + " mlm_loss");
            assertRelative(expected.tensor("mlm_logits").floats(), model.mlmLogits(), 1e-4, variant + " mlm_logits");
            if (config.hasSentenceTask()) {
                assertRelative(
                        expected.tensor("nsp_logits").floats(), model.sentenceLogits(), 1e-4, variant + " nsp_logits");
                assertRelative(
                        expected.tensor("nsp_loss").floats(),
                        new float[] {(float) losses.sentenceLoss()},
                        1e-4,
                        variant + " nsp_loss");
            }
            for (Parameter p : model.parameters()) {
                float[] got = model.gradient(p);
                if (p.name().contains("key.bias")
                        && !config.positionEmbeddingType().equals(ModelConfig.RELATIVE_KEY_QUERY)) {
                    // analytically zero: softmax ignores a constant added to a row (not so with relative_key_query's
                    // k.e)
                    for (float g : got)
                        assertTrue(Math.abs(g) < 1e-6, variant + " " + p.name() + " should be ~0, got " + g);
                } else {
                    assertRelative(
                            expected.tensor("grad." + p.name()).floats(), got, 1e-3, variant + " grad." + p.name());
                }
            }
        }
    }

    /**
     * BERT-tiny's shape (H 128, 2 layers, 2 heads, I 512) with a 211-token vocabulary, batch 4,
     * sequence 32, dropout 0.1, AdamW then LAMB, clipping at 1: every step's loss and gradient norm on
     * opencl within 1e-3 (relative) of the cpu backend's from the same seed, and the loss falls.
     */
    @Test
    void followsTheCpuLossCurve() {
        ModelConfig config =
                new ModelConfig(211, 128, 2, 2, 512, 64, 2, 0.1f, 0.1f, 1e-12f, 0.02f, false, 128, false, "nsp");
        List<Batch> batches = batches(new Random(7), 6, 4, 32, 211);
        for (String optimizer : new String[] {"adamw", "lamb"}) {
            double[][] cpu = train(config, Backends.cpu(2), optimizer, batches);
            double[][] gpu = train(config, opencl(), optimizer, batches);
            for (int s = 0; s < batches.size(); s++) {
                assertEquals(cpu[0][s], gpu[0][s], 1e-3 * cpu[0][s], optimizer + " step " + (s + 1) + " loss");
                assertEquals(cpu[1][s], gpu[1][s], 1e-3 * cpu[1][s], optimizer + " step " + (s + 1) + " gradient norm");
            }
            assertTrue(
                    gpu[0][batches.size() - 1] < gpu[0][0],
                    optimizer + ": the loss falls on the repeated batches, " + gpu[0][0] + " -> "
                            + gpu[0][batches.size() - 1]);
        }
    }

    /** Losses and gradient norms per step. */
    private static double[][] train(ModelConfig config, Backend backend, String name, List<Batch> batches) {
        Optimizer optimizer = Optimizer.named(name, 0.01f);
        try (BertModel model = new BertModel(config, backend, 4, 32, 32, optimizer.stateSlots())) {
            model.initialize(3);
            Trainer trainer = new Trainer(model, optimizer, new TrainingOptions(2e-3f, 1, 100, 1, 1.0f, 11));
            double[][] curve = new double[2][batches.size()];
            for (int s = 0; s < batches.size(); s++) {
                StepMetrics m = trainer.step(List.of(batches.get(s % 2)));
                curve[0][s] = m.loss();
                curve[1][s] = m.gradientNorm();
            }
            return curve;
        }
    }

    /**
     * What a step moves between host and device is the batch in and the metrics out: the same for a
     * 1-layer H 32 model and a 2-layer H 128 one with 4x the vocabulary, step after step.
     */
    @Test
    void transfersPerStepDoNotGrowWithTheModel() {
        ModelConfig small =
                new ModelConfig(53, 32, 1, 2, 64, 16, 2, 0.1f, 0.1f, 1e-12f, 0.02f, false, 32, false, "nsp");
        ModelConfig large =
                new ModelConfig(211, 128, 2, 2, 512, 16, 2, 0.1f, 0.1f, 1e-12f, 0.02f, false, 128, false, "nsp");
        List<Batch> batches = batches(new Random(9), 3, 2, 16, 53);
        DeviceCounters a = stepCounters(small, batches), b = stepCounters(large, batches);
        assertEquals(a.bytesToDevice(), b.bytesToDevice(), "bytes to the device per step: " + a + " vs " + b);
        assertEquals(a.bytesFromDevice(), b.bytesFromDevice(), "bytes from the device per step: " + a + " vs " + b);
        assertTrue(
                a.bytesToDevice() + a.bytesFromDevice() < 64 * 1024, "a step moves only the batch and metrics: " + a);
        assertTrue(b.launches() > a.launches(), "more layers, more launches: " + a + " vs " + b);
    }

    /** The counters of the last of a few AdamW steps (the first allocates and uploads the weights). */
    private static DeviceCounters stepCounters(ModelConfig config, List<Batch> batches) {
        Optimizer adamw = Optimizer.named("adamw", 0.01f);
        OpenClBackend backend = opencl();
        try (BertModel model = new BertModel(config, backend, 2, 16, 16, adamw.stateSlots())) {
            model.initialize(5);
            Trainer trainer = new Trainer(model, adamw, new TrainingOptions(1e-3f, 1, 10, 1, 1.0f, 1));
            DeviceCounters before = null;
            for (Batch batch : batches) {
                before = backend.counters();
                trainer.step(List.of(batch));
            }
            return backend.counters().minus(before);
        }
    }

    // ---------------------------------------------------------------- inputs

    static List<Batch> batches(Random random, int count, int B, int T, int V) {
        List<Batch> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            int[] ids = new int[B * T], types = new int[B * T], mask = new int[B * T], nsp = new int[B];
            List<Integer> positions = new ArrayList<>(), labels = new ArrayList<>();
            for (int b = 0; b < B; b++) {
                int real = T - random.nextInt(T / 4);
                nsp[b] = random.nextInt(2);
                for (int t = 0; t < T; t++) {
                    int i = b * T + t;
                    ids[i] = t == 0 ? 1 : 5 + random.nextInt(V - 5);
                    types[i] = t > real / 2 ? 1 : 0;
                    mask[i] = t < real ? 1 : 0;
                    if (t > 0 && t < real && random.nextInt(7) == 0 && positions.size() < 4 * (b + 1)) {
                        positions.add(i);
                        labels.add(ids[i]);
                        ids[i] = 3;
                    }
                }
            }
            out.add(new Batch(
                    B,
                    T,
                    ids,
                    types,
                    mask,
                    positions.stream().mapToInt(Integer::intValue).toArray(),
                    labels.stream().mapToInt(Integer::intValue).toArray(),
                    nsp));
        }
        return out;
    }

    private static ModelConfig config(String variant) throws IOException {
        try (InputStream in = resource(variant, "config.json")) {
            JsonNode c = new ObjectMapper().readTree(in);
            return ModelConfig.fromJson(c, variant + "/config.json");
        }
    }

    private static Batch batch(Safetensors.Contents b) {
        int[] shape = b.tensor("input_ids").intShape();
        return new Batch(
                shape[0],
                shape[1],
                b.tensor("input_ids").ints(),
                b.tensor("token_type_ids").ints(),
                b.tensor("attention_mask").ints(),
                b.tensor("masked_positions").ints(),
                b.tensor("masked_labels").ints(),
                b.tensor("next_sentence_labels").ints());
    }

    private static Safetensors.Contents read(String variant, String file) throws IOException {
        try (InputStream in = resource(variant, file + ".safetensors")) {
            return Safetensors.read(in.readAllBytes(), "golden/" + variant + "/" + file + ".safetensors");
        }
    }

    private static InputStream resource(String variant, String file) {
        InputStream in = OpenClModelTest.class.getClassLoader().getResourceAsStream("golden/" + variant + "/" + file);
        if (in == null) throw new IllegalStateException("missing fixture golden/" + variant + "/" + file);
        return in;
    }

    private static void assertRelative(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + " length");
        double diff2 = 0, ref2 = 0;
        for (int i = 0; i < want.length; i++) {
            diff2 += ((double) want[i] - got[i]) * ((double) want[i] - got[i]);
            ref2 += (double) want[i] * want[i];
        }
        double rel = Math.sqrt(diff2 / ref2);
        assertTrue(ref2 > 0 && rel < tol, what + ": relative error " + rel + " (tolerance " + tol + ")");
    }
}
