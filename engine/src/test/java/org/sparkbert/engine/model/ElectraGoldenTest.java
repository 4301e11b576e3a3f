package org.sparkbert.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkbert.engine.model.GoldenModelTest.assertRelative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.checkpoint.Safetensors;
import org.sparkbert.engine.checkpoint.StoredTensor;

/**
 * One step of ELECTRA's two networks against PyTorch's (scripts/golden/electra_golden.py, torch's own
 * modules in float64), fed the same generator samples: the generator's MLM logits and loss, the
 * discriminator's logits and loss, the total loss, which tokens count as replaced, and every
 * parameter's gradient (the shared embeddings' with both networks' parts).
 */
public class ElectraGoldenTest {

    @Test
    void matchesPyTorchOnCpu() throws IOException {
        check(Backends.cpu(2));
    }

    /** The same on a backend made by the caller (the OpenCL tests pass theirs). */
    public static void check(Backend backend) throws IOException {
        ModelConfig config = config();
        Safetensors.Contents weights = GoldenModelTest.read("electra", "weights");
        Safetensors.Contents batchFile = GoldenModelTest.read("electra", "batch");
        Safetensors.Contents expected = GoldenModelTest.read("electra", "expected");
        Batch batch = GoldenModelTest.batch(batchFile);
        try (BertModel model =
                new BertModel(config, backend, batch.batchSize(), batch.seqLength(), batch.predictions(), 0)) {
            Set<String> ours = new TreeSet<>();
            for (Parameter p : model.parameters()) ours.add(p.name());
            assertEquals(new TreeSet<>(weights.tensors().keySet()), ours, "parameter names");
            for (Parameter p : model.parameters()) {
                StoredTensor t = weights.tensor(p.name());
                assertEquals(java.util.Arrays.toString(p.shape()), java.util.Arrays.toString(t.intShape()), p.name());
                model.write(p, t.floats());
            }
            model.fixSamples(batchFile.tensor("generator_samples").ints());
            model.zeroGradients();
            Losses losses = model.forward(batch, 0, 0, 1f);
            model.backward();

            int[] replaced = expected.tensor("replaced").ints();
            int count = 0;
            for (int r : replaced) count += r;
            assertEquals(count, losses.detection().replaced(), "replaced tokens");
            assertEquals(batch.realTokens(), losses.detection().tokens(), "the discriminator's tokens");
            assertClose(expected.tensor("mlm_loss").floats()[0], losses.mlmLoss(), 1e-4, "generator mlm_loss");
            assertClose(
                    expected.tensor("disc_loss").floats()[0], losses.detection().loss(), 1e-4, "disc_loss");
            assertClose(
                    expected.tensor("loss").floats()[0],
                    losses.mlmLoss()
                            + config.discriminatorWeight() * losses.detection().loss(),
                    1e-4,
                    "loss");
            assertRelative(expected.tensor("mlm_logits").floats(), model.mlmLogits(), 1e-4, "mlm_logits");
            float[] want = expected.tensor("disc_logits").floats(), got = model.discriminatorLogits();
            int[] mask = batch.attentionMask();
            for (int i = 0; i < mask.length; i++) if (mask[i] == 0) want[i] = got[i] = 0; // padding has no prediction
            assertRelative(want, got, 1e-4, "disc_logits");
            assertArrayEquals(batchFile.tensor("generator_samples").ints(), model.generatorSamples(), "samples fed in");
            for (Parameter p : model.parameters()) {
                float[] g = model.gradient(p);
                if (p.name().contains("key.bias")) {
                    for (float v : g)
                        assertTrue(Math.abs(v) < 1e-5, p.name() + " should be ~0, got " + v); // softmax ignores it
                } else {
                    assertRelative(expected.tensor("grad." + p.name()).floats(), g, 1e-3, "grad." + p.name());
                }
            }
        }
    }

    public static ModelConfig config() throws IOException {
        try (InputStream in =
                ElectraGoldenTest.class.getClassLoader().getResourceAsStream("golden/electra/config.json")) {
            if (in == null)
                throw new IllegalStateException(
                        "missing fixture golden/electra/config.json (scripts/golden/electra_golden.py writes it)");
            JsonNode c = new ObjectMapper().readTree(in);
            return new ModelConfig(
                    c.get("vocab_size").asInt(),
                    c.get("hidden_size").asInt(),
                    c.get("num_hidden_layers").asInt(),
                    c.get("num_attention_heads").asInt(),
                    c.get("intermediate_size").asInt(),
                    c.get("max_position_embeddings").asInt(),
                    c.get("type_vocab_size").asInt(),
                    0f,
                    0f,
                    (float) c.get("layer_norm_eps").asDouble(),
                    (float) c.get("initializer_range").asDouble(),
                    false,
                    c.get("embedding_size").asInt(),
                    false,
                    c.get("objective").asText(),
                    2,
                    ModelConfig.ABSOLUTE,
                    (float) c.get("generator_size").asDouble(),
                    (float) c.get("discriminator_weight").asDouble());
        }
    }

    private static void assertClose(double want, double got, double tol, String what) {
        double rel = Math.abs(want - got) / Math.abs(want);
        assertTrue(rel < tol, what + ": want " + want + ", got " + got + ", relative error " + rel);
    }
}
