package org.sparkbert.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.model.ElectraGoldenTest;
import org.sparkbert.engine.model.ModelConfig;

/**
 * An ELECTRA checkpoint: the discriminator as Hugging Face's ElectraForPreTraining (model.safetensors,
 * config.json), the generator beside it as ElectraForMaskedLM (generator/), both with transformers'
 * tensor names and config keys, and the whole model read back exactly for a resume.
 */
class ElectraCheckpointTest {

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void writesDiscriminatorAndGeneratorAndReadsThemBack() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        ModelConfig model = ElectraGoldenTest.config();
        Map<String, StoredTensor> weights;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("golden/electra/weights.safetensors")) {
            weights = Safetensors.read(in.readAllBytes(), "golden/electra/weights.safetensors")
                    .tensors();
        }
        java.nio.file.Path vocab = Files.createDirectories(tmp.resolve("vocab"));
        Files.writeString(vocab.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n", StandardCharsets.UTF_8);
        Path dir = new CheckpointWriter(fs, new Path(tmp.toUri().toString(), "checkpoints"))
                .write(
                        5,
                        new Checkpoint(model, weights, 0, new Path(vocab.toUri().toString()), Map.of()));

        assertEquals(
                Set.of(
                        "model.safetensors",
                        "config.json",
                        "vocab.txt",
                        "tokenizer_config.json",
                        "special_tokens_map.json",
                        "manifest.sha256",
                        "generator"),
                names(fs, dir));
        assertEquals(Set.of("model.safetensors", "config.json"), names(fs, new Path(dir, "generator")));

        Set<String> discriminator = Safetensors.read(fs, new Path(dir, "model.safetensors"))
                .tensors()
                .keySet();
        for (String name : discriminator) {
            assertTrue(
                    name.startsWith("electra.") || name.startsWith("discriminator_predictions."),
                    name + " is not an ElectraForPreTraining tensor");
        }
        assertTrue(discriminator.containsAll(Set.of(
                "electra.embeddings.word_embeddings.weight",
                "electra.embeddings_project.weight",
                "electra.encoder.layer.1.output.LayerNorm.bias",
                "discriminator_predictions.dense.weight",
                "discriminator_predictions.dense_prediction.weight",
                "discriminator_predictions.dense_prediction.bias")));

        Map<String, StoredTensor> generator = Safetensors.read(fs, new Path(dir, "generator/model.safetensors"))
                .tensors();
        for (String name : generator.keySet()) {
            assertTrue(
                    name.startsWith("electra.")
                            || name.startsWith("generator_predictions.")
                            || name.startsWith("generator_lm_head."),
                    name + " is not an ElectraForMaskedLM tensor");
        }
        assertTrue(generator
                .keySet()
                .containsAll(Set.of(
                        "electra.embeddings.word_embeddings.weight",
                        "electra.embeddings.LayerNorm.weight",
                        "electra.embeddings_project.weight",
                        "electra.encoder.layer.0.attention.self.query.weight",
                        "generator_predictions.dense.weight",
                        "generator_predictions.LayerNorm.weight",
                        "generator_lm_head.weight",
                        "generator_lm_head.bias")));
        assertEquals(
                weights.get("electra.embeddings.word_embeddings.weight"),
                generator.get("generator_lm_head.weight"),
                "tied decoder");
        assertEquals(
                weights.get("electra.embeddings.position_embeddings.weight"),
                generator.get("electra.embeddings.position_embeddings.weight"),
                "the generator's copy of the shared embeddings");
        assertEquals(
                "[24, 12]",
                java.util.Arrays.toString(generator
                        .get("electra.encoder.layer.0.intermediate.dense.weight")
                        .shape()),
                "the generator's intermediate [I_g, H_g]");

        JsonNode d = json(fs, new Path(dir, "config.json")), g = json(fs, new Path(dir, "generator/config.json"));
        assertEquals("ElectraForPreTraining", d.get("architectures").get(0).asText());
        assertEquals("ElectraForMaskedLM", g.get("architectures").get(0).asText());
        assertEquals("electra", d.get("model_type").asText());
        assertEquals("electra", g.get("model_type").asText());
        assertEquals(16, d.get("embedding_size").asInt());
        assertEquals(16, g.get("embedding_size").asInt());
        assertEquals(24, d.get("hidden_size").asInt());
        assertEquals(12, g.get("hidden_size").asInt());
        assertEquals(2, g.get("num_attention_heads").asInt());
        assertEquals(24, g.get("intermediate_size").asInt());

        CheckpointReader.Loaded back = CheckpointReader.read(fs, dir);
        assertEquals(model, back.model(), "generator_size and discriminator_weight come back too");
        assertEquals(
                new TreeSet<>(weights.keySet()), new TreeSet<>(back.weights().keySet()));
        for (String name : weights.keySet())
            assertEquals(weights.get(name), back.weights().get(name), name);
    }

    private static Set<String> names(FileSystem fs, Path dir) throws java.io.IOException {
        Set<String> out = new TreeSet<>();
        for (FileStatus s : fs.listStatus(dir))
            if (!s.getPath().getName().startsWith(".")) out.add(s.getPath().getName());
        return out;
    }

    private static JsonNode json(FileSystem fs, Path file) throws java.io.IOException {
        try (InputStream in = fs.open(file)) {
            return new ObjectMapper().readTree(in);
        }
    }
}
