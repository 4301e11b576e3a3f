package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.engine.model.ModelConfig;

/**
 * Reads back a checkpoint directory written by {@link CheckpointWriter}, after checking every file
 * against its manifest: the model description and the tensors as the engine names and lays them out.
 * Files beside them that the manifest does not list are logged, named in {@link Loaded#unlisted()}
 * and otherwise ignored.
 */
public final class CheckpointReader {

    /** A verified checkpoint; {@code unlisted} are the files beside it that were not verified nor read. */
    public record Loaded(
            ModelConfig model,
            int padTokenId,
            Map<String, StoredTensor> weights,
            Map<String, String> digests,
            List<String> unlisted) {}

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointReader.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointReader() {}

    public static Loaded read(FileSystem fs, Path dir) throws IOException {
        CheckpointManifest.Verification verified = CheckpointManifest.verify(fs, dir);
        if (!verified.unlisted().isEmpty()) {
            LOG.warn(
                    "{}: {} not listed in {}: ignored (not verified, not read)",
                    dir,
                    String.join(", ", verified.unlisted()),
                    CheckpointManifest.NAME);
        }
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
            engine.putAll(layout.generatorFromCheckpoint(
                    Safetensors.read(fs, generator).tensors()));
        }
        return new Loaded(model, padTokenId, engine, verified.digests(), verified.unlisted());
    }

    /** The model configuration from config.json: our keys, the positions as the engine counts them. */
    static ModelConfig description(JsonNode c, Path source) throws IOException {
        for (String key : new String[] {"objective", ModelConfig.OURS + "max_position_embeddings"}) {
            if (!c.hasNonNull(key))
                throw new IOException(source + ": no '" + key + "' (not a checkpoint written by sparkbert)");
        }
        try {
            return ModelConfig.fromJson(c, source.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
