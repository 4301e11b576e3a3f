package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.SinusoidalPositions;

/**
 * The Hugging Face model class a checkpoint is written for, its config.json, and the few ways its
 * tensors differ from the engine's: {@code BertForPreTraining} for post-LN BERT,
 * {@code AlbertForPreTraining} for the ALBERT options, {@code RobertaPreLayerNormForMaskedLM} for
 * pre-LN. Tensor names are the engine's already (they are Hugging Face's); what changes is
 * <ul>
 * <li>RoBERTa numbers positions from pad_token_id + 1, so its position table gets pad_token_id + 1
 * leading zero rows (and max_position_embeddings grows by as many);</li>
 * <li>ALBERT always maps embeddings to the hidden size, so a shared-layer model without
 * factorisation gets an identity embedding_hidden_mapping_in.</li>
 * <li>Hugging Face has no sinusoidal BERT: a sinusoidal model is written as position_embedding_type
 * "absolute" with its fixed table as the position table, which transformers loads as a learned one
 * and so computes the same thing (fine-tuning there would then train it).</li>
 * <li>With relative positions transformers still builds, loads and ignores the absolute table, so it
 * is written as zeros (no "newly initialized" warning); its distance tables have 2 * (config.json's
 * max_position_embeddings) - 1 rows, so RoBERTa's grow by pad_token_id + 1 zero rows at each end.</li>
 * </ul>
 * ELECTRA ({@code objective=electra}) is written as {@code ElectraForPreTraining}, the discriminator
 * alone; its generator goes beside it as {@code ElectraForMaskedLM} in {@link #GENERATOR_DIR}, with its
 * own copy of the shared embeddings and the tied {@code generator_lm_head.weight}.
 * {@link #fromCheckpoint} and {@link #generatorFromCheckpoint} undo all of these, so a checkpoint reads
 * back into the engine exactly.
 */
public enum HuggingFaceLayout {
    BERT("BertForPreTraining", "bert", "bert"),
    ALBERT("AlbertForPreTraining", "albert", "albert"),
    ROBERTA_PRELAYERNORM("RobertaPreLayerNormForMaskedLM", "roberta-prelayernorm", "roberta_prelayernorm"),
    ELECTRA("ElectraForPreTraining", "electra", "electra");

    /** ELECTRA's generator, a Hugging Face directory of its own inside the checkpoint. */
    public static final String GENERATOR_DIR = "generator";
    /** The engine's prefix of the generator's own tensors (the embeddings are the discriminator's). */
    private static final String GENERATOR = "generator.";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAPPING = "albert.encoder.embedding_hidden_mapping_in.";

    private final String architecture;
    private final String modelType;
    private final String prefix;

    HuggingFaceLayout(String architecture, String modelType, String prefix) {
        this.architecture = architecture;
        this.modelType = modelType;
        this.prefix = prefix;
    }

    public static HuggingFaceLayout of(ModelConfig model) {
        if (model.electra()) {
            return ELECTRA;
        }
        if (model.preLayerNorm()) {
            return ROBERTA_PRELAYERNORM;
        }
        return model.albertOptions() ? ALBERT : BERT;
    }

    public String architecture() {
        return architecture;
    }

    /**
     * config.json as transformers reads it for this architecture: every key of the configuration
     * ({@link ModelConfig#values()}), where Hugging Face counts positions otherwise its value and ours
     * under {@link ModelConfig#OURS}, and the keys transformers needs besides.
     */
    public ObjectNode configJson(ModelConfig m, int padTokenId) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(architecture);
        c.put("model_type", modelType);
        m.values().forEach((key, value) -> c.set(key, JSON.valueToTree(value instanceof Float f ? decimal(f) : value)));
        c.put(ModelConfig.OURS + "max_position_embeddings", m.maxPositionEmbeddings());
        c.put("max_position_embeddings", m.maxPositionEmbeddings() + positionShift(padTokenId));
        c.put(ModelConfig.OURS + "position_embedding_type", m.positionEmbeddingType());
        c.put("position_embedding_type", m.relativePositions() ? m.positionEmbeddingType() : ModelConfig.ABSOLUTE);
        c.put("hidden_act", "gelu");
        c.put("pad_token_id", padTokenId);
        c.put("torch_dtype", "float32");
        if (this == ALBERT) {
            c.put("num_hidden_groups", m.shareLayers() ? 1 : m.numHiddenLayers());
            c.put("inner_group_num", 1);
            c.put("classifier_dropout_prob", decimal(m.hiddenDropoutProb()));
        }
        return c;
    }

    /** ELECTRA's generator's config.json: ElectraForMaskedLM at the generator's width, the shared embedding size. */
    public ObjectNode generatorConfigJson(ModelConfig m, int padTokenId) {
        ModelConfig g = m.generator();
        ObjectNode c = configJson(m, padTokenId);
        c.putArray("architectures").add("ElectraForMaskedLM");
        c.put("hidden_size", g.hiddenSize());
        c.put("num_attention_heads", g.numAttentionHeads());
        c.put("intermediate_size", g.intermediateSize());
        return c;
    }

    /** ELECTRA's generator as ElectraForMaskedLM stores it: its tensors without the prefix, the shared embeddings copied. */
    public Map<String, StoredTensor> generatorToCheckpoint(Map<String, StoredTensor> engine) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : engine.entrySet()) {
            if (e.getKey().startsWith(GENERATOR)) out.put(e.getKey().substring(GENERATOR.length()), e.getValue());
            else if (e.getKey().startsWith("electra.embeddings.")) out.put(e.getKey(), e.getValue());
        }
        out.put("generator_lm_head.weight", require(engine, "electra.embeddings.word_embeddings.weight"));
        return out;
    }

    /** Inverse of {@link #generatorToCheckpoint}: the generator's own tensors under the engine's names. */
    public Map<String, StoredTensor> generatorFromCheckpoint(Map<String, StoredTensor> stored) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : stored.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("electra.embeddings.") && !name.equals("generator_lm_head.weight")) {
                out.put(GENERATOR + name, e.getValue());
            }
        }
        return out;
    }

    /** The engine's tensors (Hugging Face names) as this architecture stores them. */
    public Map<String, StoredTensor> toCheckpoint(Map<String, StoredTensor> engine, ModelConfig m, int padTokenId) {
        Map<String, StoredTensor> out = new LinkedHashMap<>(engine);
        if (this == ELECTRA) out.keySet().removeIf(name -> name.startsWith(GENERATOR));
        String positions = prefix + ".embeddings.position_embeddings.weight";
        int M = m.maxPositionEmbeddings(), E = m.embeddingSize();
        if (m.positionEmbeddingType().equals(ModelConfig.SINUSOIDAL)) {
            out.put(positions, StoredTensor.f32(SinusoidalPositions.table(M, E), M, E));
        } else if (m.relativePositions()) {
            out.put(positions, StoredTensor.f32(new float[M * E], M, E));
        }
        if (this == ROBERTA_PRELAYERNORM) {
            int shift = positionShift(padTokenId);
            out.put(positions, shiftRows(require(out, positions), shift));
            for (String name : distanceTables(out)) out.put(name, padRows(out.get(name), shift));
        }
        if (this == ALBERT && !engine.containsKey(MAPPING + "weight")) {
            out.put(MAPPING + "weight", identity(m.hiddenSize()));
            out.put(MAPPING + "bias", StoredTensor.f32(new float[m.hiddenSize()], m.hiddenSize()));
        }
        return out;
    }

    /** Inverse of {@link #toCheckpoint}: the tensors the engine loads. */
    public Map<String, StoredTensor> fromCheckpoint(Map<String, StoredTensor> stored, ModelConfig m, int padTokenId) {
        Map<String, StoredTensor> out = new LinkedHashMap<>(stored);
        String positions = prefix + ".embeddings.position_embeddings.weight";
        if (this == ROBERTA_PRELAYERNORM) {
            int shift = positionShift(padTokenId);
            out.put(positions, dropRows(require(stored, positions), shift));
            for (String name : distanceTables(out)) out.put(name, unpadRows(out.get(name), shift));
        }
        if (!m.learnedPositions()) out.remove(positions);
        if (this == ALBERT && m.embeddingSize() == m.hiddenSize()) {
            out.remove(MAPPING + "weight");
            out.remove(MAPPING + "bias");
        }
        return out;
    }

    /** A float setting as the decimal it was written as (1e-12, not 9.999999960041972E-13). */
    private static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    private int positionShift(int padTokenId) {
        return this == ROBERTA_PRELAYERNORM ? padTokenId + 1 : 0;
    }

    private static StoredTensor require(Map<String, StoredTensor> tensors, String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the model has no tensor '" + name + "'");
        }
        return t;
    }

    private static StoredTensor shiftRows(StoredTensor t, int rows) {
        int width = Math.toIntExact(t.shape()[1]);
        float[] values = new float[t.floats().length + rows * width];
        System.arraycopy(t.floats(), 0, values, rows * width, t.floats().length);
        return StoredTensor.f32(values, t.shape()[0] + rows, width);
    }

    private static StoredTensor dropRows(StoredTensor t, int rows) {
        int width = Math.toIntExact(t.shape()[1]);
        float[] values = java.util.Arrays.copyOfRange(t.floats(), rows * width, t.floats().length);
        return StoredTensor.f32(values, t.shape()[0] - rows, width);
    }

    private static java.util.List<String> distanceTables(Map<String, StoredTensor> tensors) {
        return tensors.keySet().stream()
                .filter(n -> n.endsWith(".distance_embedding.weight"))
                .toList();
    }

    /** rows zero rows before and after: the centre (distance 0) moves down by rows. */
    private static StoredTensor padRows(StoredTensor t, int rows) {
        int width = Math.toIntExact(t.shape()[1]);
        float[] values = new float[t.floats().length + 2 * rows * width];
        System.arraycopy(t.floats(), 0, values, rows * width, t.floats().length);
        return StoredTensor.f32(values, t.shape()[0] + 2 * rows, width);
    }

    private static StoredTensor unpadRows(StoredTensor t, int rows) {
        int width = Math.toIntExact(t.shape()[1]);
        float[] values = java.util.Arrays.copyOfRange(t.floats(), rows * width, t.floats().length - rows * width);
        return StoredTensor.f32(values, t.shape()[0] - 2 * rows, width);
    }

    private static StoredTensor identity(int n) {
        float[] values = new float[n * n];
        for (int i = 0; i < n; i++) {
            values[i * n + i] = 1f;
        }
        return StoredTensor.f32(values, n, n);
    }
}
