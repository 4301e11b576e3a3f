package org.sparkbert.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.checkpoint.Safetensors;
import org.sparkbert.engine.checkpoint.StoredTensor;

/**
 * Our forward and backward passes against PyTorch's (scripts/golden/bert_golden.py, built from
 * torch's own modules and computed in float64): loss and logits within 1e-4, every parameter
 * gradient within 1e-3, relative error ||a-b|| / ||b||.
 */
class GoldenModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"post_ln", "pre_ln", "albert", "relative_key", "relative_key_query", "sinusoidal"})
    void matchesPyTorch(String variant) throws IOException {
        ModelConfig config = config(variant);
        Safetensors.Contents weights = read(variant, "weights");
        Safetensors.Contents batchFile = read(variant, "batch");
        Safetensors.Contents expected = read(variant, "expected");
        Batch batch = batch(batchFile);
        try (BertModel model =
                new BertModel(config, Backends.cpu(2), batch.batchSize(), batch.seqLength(), batch.predictions(), 0)) {
            Set<String> ours = new TreeSet<>();
            for (Parameter p : model.parameters()) ours.add(p.name());
            assertEquals(new TreeSet<>(weights.tensors().keySet()), ours, variant + ": parameter names");
            for (Parameter p : model.parameters()) {
                StoredTensor t = weights.tensor(p.name());
                assertEquals(java.util.Arrays.toString(p.shape()), java.util.Arrays.toString(t.intShape()), p.name());
                model.write(p, t.floats());
            }
            model.zeroGradients();
            Losses losses = model.forward(batch, 0, 0, 1f);
            model.backward();

            assertClose(expected.tensor("loss").floats()[0], losses.loss(), 1e-4, variant + " loss");
            assertClose(expected.tensor("mlm_loss").floats()[0], losses.mlmLoss(), 1e-4, variant + " mlm_loss");
            assertRelative(expected.tensor("mlm_logits").floats(), model.mlmLogits(), 1e-4, variant + " mlm_logits");
            if (config.hasSentenceTask()) {
                assertClose(
                        expected.tensor("nsp_loss").floats()[0], losses.sentenceLoss(), 1e-4, variant + " nsp_loss");
                assertRelative(
                        expected.tensor("nsp_logits").floats(), model.sentenceLogits(), 1e-4, variant + " nsp_logits");
            }
            for (Parameter p : model.parameters()) {
                float[] want = expected.tensor("grad." + p.name()).floats();
                float[] got = model.gradient(p);
                if (p.name().contains("key.bias")
                        && !config.positionEmbeddingType().equals(ModelConfig.RELATIVE_KEY_QUERY)) {
                    // analytically zero (softmax ignores a constant added to a row; relative_key_query's k.e
                    // terms are not constant along a row); ours is round-off too
                    for (float g : got)
                        assertTrue(Math.abs(g) < 1e-6, variant + " " + p.name() + " should be ~0, got " + g);
                } else {
                    assertRelative(want, got, 1e-3, variant + " grad." + p.name());
                }
            }
        }
    }

    static ModelConfig config(String variant) throws IOException {
        try (InputStream in = resource(variant, "config.json")) {
            JsonNode c = new ObjectMapper().readTree(in);
            return ModelConfig.fromJson(c, variant + "/config.json");
        }
    }

    static Batch batch(Safetensors.Contents b) {
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

    static Safetensors.Contents read(String variant, String file) throws IOException {
        try (InputStream in = resource(variant, file + ".safetensors")) {
            return Safetensors.read(in.readAllBytes(), "golden/" + variant + "/" + file + ".safetensors");
        }
    }

    private static InputStream resource(String variant, String file) {
        InputStream in = GoldenModelTest.class.getClassLoader().getResourceAsStream("golden/" + variant + "/" + file);
        if (in == null)
            throw new IllegalStateException(
                    "missing fixture golden/" + variant + "/" + file + " (scripts/golden/bert_golden.py writes it)");
        return in;
    }

    private static void assertClose(double want, double got, double tol, String what) {
        double rel = Math.abs(want - got) / Math.abs(want);
        assertTrue(rel < tol, what + ": want " + want + ", got " + got + ", relative error " + rel);
    }

    static void assertRelative(float[] want, float[] got, double tol, String what) {
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
