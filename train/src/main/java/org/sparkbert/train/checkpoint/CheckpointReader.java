package org.sparkbert.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads back a checkpoint directory written by {@link CheckpointWriter}, after checking every file
 * against its manifest: the model description and the tensors as the engine names and lays them out.
 */
public final class CheckpointReader {

    /** A verified checkpoint. */
    public record Loaded(ModelDescription model, int padTokenId, Map<String, StoredTensor> weights,
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
        ModelDescription model = description(config, new Path(dir, CheckpointWriter.CONFIG));
        int padTokenId = config.path("pad_token_id").asInt(0);
        Safetensors.Contents contents;
        Path weights = new Path(dir, CheckpointWriter.WEIGHTS);
        try (InputStream in = fs.open(weights)) {
            contents = Safetensors.read(in, weights.toString());
        }
        Map<String, StoredTensor> engine =
                HuggingFaceLayout.of(model).fromCheckpoint(contents.tensors(), model, padTokenId);
        return new Loaded(model, padTokenId, engine, digests);
    }

    static ModelDescription description(JsonNode c, Path source) throws IOException {
        for (String key : new String[] {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                "intermediate_size", "sparkbert_max_position_embeddings", "type_vocab_size", "layer_norm_eps",
                "pre_layer_norm", "embedding_size", "share_layers", "objective"}) {
            if (!c.hasNonNull(key)) {
                throw new IOException(source + ": no '" + key + "' (not a checkpoint written by sparkbert)");
            }
        }
        return new ModelDescription(c.get("vocab_size").asInt(), c.get("hidden_size").asInt(),
                c.get("num_hidden_layers").asInt(), c.get("num_attention_heads").asInt(),
                c.get("intermediate_size").asInt(), c.get("sparkbert_max_position_embeddings").asInt(),
                c.get("type_vocab_size").asInt(), c.path("hidden_dropout_prob").asDouble(),
                c.path("attention_probs_dropout_prob").asDouble(), c.get("layer_norm_eps").asDouble(),
                c.path("initializer_range").asDouble(0.02), c.get("pre_layer_norm").asBoolean(),
                c.get("embedding_size").asInt(), c.get("share_layers").asBoolean(), c.get("objective").asText());
    }
}
