package org.sparkbert.engine.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.checkpoint.CheckpointReader;
import org.sparkbert.engine.checkpoint.Safetensors;
import org.sparkbert.engine.checkpoint.StoredTensor;
import org.sparkbert.engine.model.ModelConfig;

/**
 * A model directory to start from: a checkpoint written by sparkbert (verified against its
 * manifest), or a Hugging Face save_pretrained directory of a BERT model (config.json and
 * model.safetensors) as BertModel, BertForMaskedLM or BertForPreTraining write it, names with or
 * without the {@code bert.} prefix. Weights come out with the engine's (BertForPreTraining) names;
 * {@code dropped} lists the stored tensors no engine model has (tied decoder copies, buffers).
 */
public record PretrainedModel(
        String source,
        String format,
        ModelConfig model,
        int padTokenId,
        Map<String, StoredTensor> weights,
        List<String> dropped,
        List<String> vocabulary,
        String weightsSha256) {

    public static final String SPARKBERT = "sparkbert";
    public static final String HUGGING_FACE = "huggingface";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] ENCODER_ROOTS = {"embeddings.", "encoder.", "pooler."};

    /** Reads either kind of directory; what is wrong is an IOException naming the file and the fix. */
    public static PretrainedModel read(FileSystem fs, Path dir) throws IOException {
        Path configFile = new Path(dir, HuggingFaceDirectory.CONFIG);
        if (!fs.exists(configFile)) {
            throw new IOException(
                    dir + ": no config.json; give a sparkbert checkpoint or a Hugging Face model directory "
                            + "(save_pretrained: config.json + model.safetensors)");
        }
        JsonNode config;
        try (InputStream in = fs.open(configFile)) {
            config = JSON.readTree(in);
        }
        List<String> vocabulary = vocabulary(fs, dir);
        Path weightsFile = new Path(dir, HuggingFaceDirectory.WEIGHTS);
        if (config.has("sparkbert_max_position_embeddings")) {
            CheckpointReader.Loaded loaded = CheckpointReader.read(fs, dir);
            return new PretrainedModel(
                    dir.toString(),
                    SPARKBERT,
                    loaded.model(),
                    loaded.padTokenId(),
                    loaded.weights(),
                    List.of(),
                    vocabulary,
                    sha256(fs, weightsFile));
        }
        if (!fs.exists(weightsFile)) {
            if (fs.exists(new Path(dir, "pytorch_model.bin"))) {
                throw new IOException(dir + " holds pytorch_model.bin but no model.safetensors: convert it first, e.g. "
                        + "AutoModel.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True) in Python");
            }
            throw new IOException(dir + ": no model.safetensors beside config.json");
        }
        MessageDigest sha = sha256();
        Safetensors.Contents contents;
        try (InputStream in = new DigestInputStream(fs.open(weightsFile), sha)) {
            contents = Safetensors.read(in, fs.getFileStatus(weightsFile).getLen(), weightsFile.toString());
        }
        Map<String, StoredTensor> weights = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, StoredTensor> e : contents.tensors().entrySet()) {
            String name = engineName(e.getKey());
            if (name == null) {
                dropped.add(e.getKey());
                continue;
            }
            if (e.getValue().floats() == null) {
                throw new IOException(weightsFile + ": tensor " + e.getKey() + " is "
                        + e.getValue().dtype() + ", weights must be F32");
            }
            if (weights.put(name, e.getValue()) != null) {
                throw new IOException(
                        weightsFile + ": two tensors map to " + name + " (with and without the bert. prefix)");
            }
        }
        StoredTensor classifier = weights.get(CLASSIFIER_WEIGHT);
        ModelConfig model = huggingFaceConfig(config, configFile, classifier == null ? "mlm" : "nsp");
        if (classifier != null) {
            model = model.withNumLabels(Math.toIntExact(classifier.shape()[0]));
        }
        int padTokenId = config.path("pad_token_id").asInt(0);
        return new PretrainedModel(
                dir.toString(),
                HUGGING_FACE,
                model,
                padTokenId,
                weights,
                dropped,
                vocabulary,
                HexFormat.of().formatHex(sha.digest()));
    }

    private static final String CLASSIFIER_WEIGHT = "cls.seq_relationship.weight";

    /**
     * A stored name as the engine names it: BertModel's bare names get the bert. prefix, TF-era
     * LayerNorm gamma/beta become weight/bias; null for tensors no engine model holds (the decoder
     * matrix tied to the word embeddings and its bias copy, position_ids buffers).
     */
    static String engineName(String stored) {
        String name = stored.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias");
        for (String root : ENCODER_ROOTS) {
            if (name.startsWith(root)) name = "bert." + name;
        }
        if (name.endsWith("position_ids")
                || name.equals("cls.predictions.decoder.weight")
                || name.equals("cls.predictions.decoder.bias")) {
            return null;
        }
        return name;
    }

    /** The engine configuration of a Hugging Face BERT config.json, with the objective its heads allow. */
    static ModelConfig huggingFaceConfig(JsonNode c, Path source, String objective) throws IOException {
        String type = c.path("model_type").asText("");
        if (!type.equals("bert")) {
            throw new IOException(
                    source + ": model_type '" + type + "'; only BERT models (model_type bert) can be loaded");
        }
        String act = c.path("hidden_act").asText("gelu");
        if (!act.equals("gelu")) {
            throw new IOException(source + ": hidden_act '" + act + "'; the engine computes BERT's exact gelu only");
        }
        String positions = c.path("position_embedding_type").asText(ModelConfig.ABSOLUTE);
        if (positions.equals(ModelConfig.SINUSOIDAL)) {
            throw new IOException(
                    source + ": position_embedding_type '" + positions + "' is not a Hugging Face BERT value");
        }
        for (String key : new String[] {
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings"
        }) {
            if (!c.hasNonNull(key)) throw new IOException(source + ": no '" + key + "'");
        }
        ObjectNode ours = c.deepCopy();
        ours.put("objective", objective);
        for (String key : new String[] {"pre_layer_norm", "embedding_size", "share_layers", "num_labels"})
            ours.remove(key);
        try {
            return ModelConfig.fromJson(ours, source.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The directory's vocabulary in id order: vocab.txt, vocab.json or tokenizer.json's model.vocab; null if none. */
    static List<String> vocabulary(FileSystem fs, Path dir) throws IOException {
        Path txt = new Path(dir, HuggingFaceDirectory.VOCAB_TXT);
        if (fs.exists(txt)) {
            List<String> tokens = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(txt), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) tokens.add(line);
            }
            return tokens;
        }
        for (String name : new String[] {"vocab.json", HuggingFaceDirectory.TOKENIZER_JSON}) {
            Path file = new Path(dir, name);
            if (!fs.exists(file)) continue;
            JsonNode root;
            try (InputStream in = fs.open(file)) {
                root = JSON.readTree(in);
            }
            JsonNode vocab =
                    name.equals("vocab.json") ? root : root.path("model").path("vocab");
            String[] byId = new String[vocab.size()];
            Iterator<Map.Entry<String, JsonNode>> fields = vocab.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                int id = f.getValue().asInt(-1);
                if (id < 0 || id >= byId.length)
                    throw new IOException(file + ": token '" + f.getKey() + "' has id " + id);
                byId[id] = f.getKey();
            }
            return Arrays.asList(byId);
        }
        return null;
    }

    /**
     * True for tensors that may start fresh when the directory lacks them: the pooler and the heads
     * (BERT's cls.*, pre-LN's lm_head.*, ALBERT's predictions.* and sop_classifier.*).
     */
    public static boolean isHead(String engineName) {
        return engineName.startsWith("cls.")
                || engineName.startsWith("lm_head.")
                || engineName.startsWith("predictions.")
                || engineName.startsWith("sop_classifier.")
                || engineName.startsWith("bert.pooler.")
                || engineName.startsWith("albert.pooler.");
    }

    private static String sha256(FileSystem fs, Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(fs.open(file), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
