package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.model.ModelConfig;

/**
 * Reads back a checkpoint directory written by {@link CheckpointWriter}, after checking every file
 * against its manifest: the model description and the tensors as the engine names and lays them out.
 */
public final class CheckpointReader {

    /** A verified checkpoint. */
    public record Loaded(ModelConfig model, int padTokenId, Map<String, StoredTensor> weights,
                         Map<String, String> digests) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointReader() {
    }

    public static Loaded read(FileSystem fs, Path dir) throws IOException {
        Map<String, String> digests = CheckpointManifest.verify(fs, dir);
        JsonNode config;
        try (InputStream in = fs.open(new Path(dir, CheckpointWriter.CONFIG))) {
            config = JSON.readTree(in);
        }
        ModelConfig model = description(config, new Path(dir, CheckpointWriter.CONFIG));
        int padTokenId = config.path("pad_token_id").asInt(0);
        Safetensors.Contents contents = Safetensors.read(fs, new Path(dir, CheckpointWriter.WEIGHTS));
        HuggingFaceLayout layout = HuggingFaceLayout.of(model);
        Map<String, StoredTensor> engine = layout.fromCheckpoint(contents.tensors(), model, padTokenId);
        if (layout == HuggingFaceLayout.ELECTRA) {
            Path generator = new Path(new Path(dir, HuggingFaceLayout.GENERATOR_DIR), CheckpointWriter.WEIGHTS);
            engine = new java.util.LinkedHashMap<>(engine);
            engine.putAll(layout.generatorFromCheckpoint(Safetensors.read(fs, generator).tensors()));
        }
        return new Loaded(model, padTokenId, engine, digests);
    }

    /** The model configuration from config.json: our keys, the positions as the engine counts them. */
    static ModelConfig description(JsonNode c, Path source) throws IOException {
        Properties p = new Properties();
        for (String key : new String[] {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                "intermediate_size", "sparkbert_max_position_embeddings", "type_vocab_size", "hidden_dropout_prob",
                "attention_probs_dropout_prob", "layer_norm_eps", "initializer_range", "pre_layer_norm",
                "embedding_size", "share_layers", "objective"}) {
            if (!c.hasNonNull(key)) {
                throw new IOException(source + ": no '" + key + "' (not a checkpoint written by sparkbert)");
            }
            p.setProperty(key.replace("sparkbert_", ""), c.get(key).asText());
        }
        // ours names sinusoidal, which Hugging Face's key cannot; a config.json without it: Hugging Face's
        String positions = c.path("sparkbert_position_embedding_type").asText(c.path("position_embedding_type").asText(ModelConfig.ABSOLUTE));
        p.setProperty("position_embedding_type", positions);
        for (String key : new String[] {"generator_size", "discriminator_weight"}) { // ELECTRA's
            if (c.hasNonNull(key)) p.setProperty(key, c.get(key).asText());
        }
        try {
            return ModelConfig.parse(p, source.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
