package org.sparkbert.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * One model's shape and options, read from a conf/models/*.conf file (Java properties with Hugging
 * Face BertConfig key names, plus pre_layer_norm, embedding_size, share_layers and objective;
 * position_embedding_type is Hugging Face's key, with sinusoidal added).
 * vocabSize 0 means "not stated": it is taken from the vocabulary by {@link #withVocabSize}.
 * numLabels sizes the sentence head: 2 for nsp and sop, n for n-way fine-tuning, 1 for regression.
 * Serializable, so that Spark tasks (the distributed trainer's replica factory) carry it as it is.
 */
public record ModelConfig(
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        int maxPositionEmbeddings,
        int typeVocabSize,
        float hiddenDropoutProb,
        float attentionProbsDropoutProb,
        float layerNormEps,
        float initializerRange,
        boolean preLayerNorm,
        int embeddingSize,
        boolean shareLayers,
        String objective,
        int numLabels,
        String positionEmbeddingType,
        float generatorSize,
        float discriminatorWeight)
        implements java.io.Serializable {

    /** ELECTRA's replaced-token detection: a small generator fills the masked positions, the model detects them. */
    public static final String ELECTRA = "electra";
    /** The generator's hidden size, heads and intermediate size as a fraction of the discriminator's (ELECTRA's 0.25). */
    public static final float GENERATOR_SIZE = 0.25f;
    /** λ, the weight of the discriminator's loss beside the generator's MLM loss (ELECTRA's 50). */
    public static final float DISCRIMINATOR_WEIGHT = 50f;

    /** Learned absolute positions (BERT), added to the token embeddings. */
    public static final String ABSOLUTE = "absolute";
    /** Fixed sinusoidal absolute positions (Vaswani et al. 2017): no learned table. */
    public static final String SINUSOIDAL = "sinusoidal";
    /** Shaw et al. 2018 as Hugging Face's BERT: a learned distance embedding per layer scores q against it. */
    public static final String RELATIVE_KEY = "relative_key";
    /** As relative_key, and the keys are scored against the distance embedding too (Huang et al. 2020). */
    public static final String RELATIVE_KEY_QUERY = "relative_key_query";

    private static final Set<String> POSITION_TYPES = Set.of(ABSOLUTE, SINUSOIDAL, RELATIVE_KEY, RELATIVE_KEY_QUERY);

    /** The keys of a .conf file and of config.json, in the order {@link #values()} gives them. */
    private static final List<String> KEY_ORDER = List.of(
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings",
            "type_vocab_size",
            "hidden_dropout_prob",
            "attention_probs_dropout_prob",
            "layer_norm_eps",
            "initializer_range",
            "pre_layer_norm",
            "embedding_size",
            "share_layers",
            "objective",
            "num_labels",
            "position_embedding_type",
            "generator_size",
            "discriminator_weight");

    private static final Set<String> KEYS = Set.copyOf(KEY_ORDER);
    /** config.json holds our value of a key under this prefix where Hugging Face's differs (positions). */
    public static final String OURS = "sparkbert_";

    /** A configuration with ELECTRA's default generator size and discriminator weight. */
    public ModelConfig(
            int vocabSize,
            int hiddenSize,
            int numHiddenLayers,
            int numAttentionHeads,
            int intermediateSize,
            int maxPositionEmbeddings,
            int typeVocabSize,
            float hiddenDropoutProb,
            float attentionProbsDropoutProb,
            float layerNormEps,
            float initializerRange,
            boolean preLayerNorm,
            int embeddingSize,
            boolean shareLayers,
            String objective,
            int numLabels,
            String positionEmbeddingType) {
        this(
                vocabSize,
                hiddenSize,
                numHiddenLayers,
                numAttentionHeads,
                intermediateSize,
                maxPositionEmbeddings,
                typeVocabSize,
                hiddenDropoutProb,
                attentionProbsDropoutProb,
                layerNormEps,
                initializerRange,
                preLayerNorm,
                embeddingSize,
                shareLayers,
                objective,
                numLabels,
                positionEmbeddingType,
                GENERATOR_SIZE,
                DISCRIMINATOR_WEIGHT);
    }

    /** A configuration with learned absolute positions. */
    public ModelConfig(
            int vocabSize,
            int hiddenSize,
            int numHiddenLayers,
            int numAttentionHeads,
            int intermediateSize,
            int maxPositionEmbeddings,
            int typeVocabSize,
            float hiddenDropoutProb,
            float attentionProbsDropoutProb,
            float layerNormEps,
            float initializerRange,
            boolean preLayerNorm,
            int embeddingSize,
            boolean shareLayers,
            String objective,
            int numLabels) {
        this(
                vocabSize,
                hiddenSize,
                numHiddenLayers,
                numAttentionHeads,
                intermediateSize,
                maxPositionEmbeddings,
                typeVocabSize,
                hiddenDropoutProb,
                attentionProbsDropoutProb,
                layerNormEps,
                initializerRange,
                preLayerNorm,
                embeddingSize,
                shareLayers,
                objective,
                numLabels,
                ABSOLUTE);
    }

    /** A configuration with the usual two-way sentence head (nsp and sop). */
    public ModelConfig(
            int vocabSize,
            int hiddenSize,
            int numHiddenLayers,
            int numAttentionHeads,
            int intermediateSize,
            int maxPositionEmbeddings,
            int typeVocabSize,
            float hiddenDropoutProb,
            float attentionProbsDropoutProb,
            float layerNormEps,
            float initializerRange,
            boolean preLayerNorm,
            int embeddingSize,
            boolean shareLayers,
            String objective) {
        this(
                vocabSize,
                hiddenSize,
                numHiddenLayers,
                numAttentionHeads,
                intermediateSize,
                maxPositionEmbeddings,
                typeVocabSize,
                hiddenDropoutProb,
                attentionProbsDropoutProb,
                layerNormEps,
                initializerRange,
                preLayerNorm,
                embeddingSize,
                shareLayers,
                objective,
                2);
    }

    public ModelConfig {
        require(
                hiddenSize > 0 && numHiddenLayers > 0 && numAttentionHeads > 0 && intermediateSize > 0,
                "hidden_size, num_hidden_layers, num_attention_heads and intermediate_size must be positive");
        require(
                hiddenSize % numAttentionHeads == 0,
                "hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        require(
                vocabSize >= 0 && maxPositionEmbeddings > 0 && typeVocabSize > 0 && embeddingSize > 0,
                "vocab_size, max_position_embeddings, type_vocab_size and embedding_size must be positive");
        require(
                hiddenDropoutProb >= 0
                        && hiddenDropoutProb < 1
                        && attentionProbsDropoutProb >= 0
                        && attentionProbsDropoutProb < 1,
                "dropout probabilities must be in [0, 1)");
        require(numLabels >= 1, "num_labels must be >= 1 (1: regression), got " + numLabels);
        require(
                objective.equals("nsp")
                        || objective.equals("sop")
                        || objective.equals("mlm")
                        || objective.equals(ELECTRA),
                "objective must be nsp, sop, mlm or electra, not '" + objective + "'");
        require(
                generatorSize > 0 && generatorSize <= 1 && discriminatorWeight >= 0,
                "generator_size must be in (0, 1] and discriminator_weight >= 0");
        if (objective.equals(ELECTRA)) {
            require(
                    !preLayerNorm && !shareLayers && positionEmbeddingType.equals(ABSOLUTE),
                    "objective electra is Hugging Face's Electra: post-LN, no shared layers, absolute positions");
            int gh = Math.round(hiddenSize * generatorSize),
                    gn = Math.max(1, Math.round(numAttentionHeads * generatorSize));
            require(
                    gh > 0 && gh % gn == 0 && Math.round(intermediateSize * generatorSize) > 0,
                    "generator_size " + generatorSize + " gives a generator of hidden size " + gh + " and " + gn
                            + " heads: choose a fraction that keeps hidden size a multiple of the heads");
        }
        require(
                POSITION_TYPES.contains(positionEmbeddingType),
                "position_embedding_type must be absolute, sinusoidal, " + "relative_key or relative_key_query, not '"
                        + positionEmbeddingType + "'");
        require(
                !(preLayerNorm && (shareLayers || embeddingSize != hiddenSize)),
                "pre_layer_norm cannot be combined with the ALBERT options (embedding_size != hidden_size or share_layers): "
                        + "no Hugging Face architecture holds that model");
    }

    /** Reads a model file. */
    public static ModelConfig load(Path file) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(in);
            return parse(p, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads one of the bundled files by name, e.g. "bert-mini" (conf/models/bert-mini.conf in the jar). */
    public static ModelConfig bundled(String name) {
        String resource = "conf/models/" + name + ".conf";
        try (InputStream in = ModelConfig.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no bundled model configuration " + resource);
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return parse(p, resource);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Parses the keys; unknown keys and malformed values are errors naming the key and the source. */
    public static ModelConfig parse(Properties p, String source) {
        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    source + ": unknown key(s) " + unknown + "; known keys: " + new TreeSet<>(KEYS));
        }
        Values v = new Values(p, source);
        int hidden = v.integer("hidden_size", null);
        try {
            return new ModelConfig(
                    v.integer("vocab_size", 0),
                    hidden,
                    v.integer("num_hidden_layers", null),
                    v.integer("num_attention_heads", null),
                    v.integer("intermediate_size", null),
                    v.integer("max_position_embeddings", 512),
                    v.integer("type_vocab_size", 2),
                    v.number("hidden_dropout_prob", 0.1f),
                    v.number("attention_probs_dropout_prob", 0.1f),
                    v.number("layer_norm_eps", 1e-12f),
                    v.number("initializer_range", 0.02f),
                    v.flag("pre_layer_norm", false),
                    v.integer("embedding_size", hidden),
                    v.flag("share_layers", false),
                    p.getProperty("objective", "nsp").trim(),
                    v.integer("num_labels", 2),
                    p.getProperty("position_embedding_type", ABSOLUTE).trim(),
                    v.number("generator_size", GENERATOR_SIZE),
                    v.number("discriminator_weight", DISCRIMINATOR_WEIGHT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every key with its value, typed (Integer, Float, Boolean, String) as parse reads them back: the
     * one list of this configuration's keys that .conf files, config.json and Spark tasks share.
     */
    public Map<String, Object> values() {
        Object[] v = {
            vocabSize,
            hiddenSize,
            numHiddenLayers,
            numAttentionHeads,
            intermediateSize,
            maxPositionEmbeddings,
            typeVocabSize,
            hiddenDropoutProb,
            attentionProbsDropoutProb,
            layerNormEps,
            initializerRange,
            preLayerNorm,
            embeddingSize,
            shareLayers,
            objective,
            numLabels,
            positionEmbeddingType,
            generatorSize,
            discriminatorWeight
        };
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) out.put(KEY_ORDER.get(i), v[i]);
        return out;
    }

    /** This configuration with the given keys of {@link #values()} changed (their types as values() gives them). */
    private ModelConfig with(Map<String, Object> changes) {
        Map<String, Object> v = values();
        v.putAll(changes);
        return new ModelConfig(
                (Integer) v.get("vocab_size"),
                (Integer) v.get("hidden_size"),
                (Integer) v.get("num_hidden_layers"),
                (Integer) v.get("num_attention_heads"),
                (Integer) v.get("intermediate_size"),
                (Integer) v.get("max_position_embeddings"),
                (Integer) v.get("type_vocab_size"),
                (Float) v.get("hidden_dropout_prob"),
                (Float) v.get("attention_probs_dropout_prob"),
                (Float) v.get("layer_norm_eps"),
                (Float) v.get("initializer_range"),
                (Boolean) v.get("pre_layer_norm"),
                (Integer) v.get("embedding_size"),
                (Boolean) v.get("share_layers"),
                (String) v.get("objective"),
                (Integer) v.get("num_labels"),
                (String) v.get("position_embedding_type"),
                (Float) v.get("generator_size"),
                (Float) v.get("discriminator_weight"));
    }

    /** As a .conf file holds it: {@code parse(toProperties(), ...)} gives this configuration back. */
    public Properties toProperties() {
        Properties p = new Properties();
        values().forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        return p;
    }

    /**
     * From a config.json object: every key of ours that it holds, {@link #OURS}-prefixed values
     * before Hugging Face's; keys it lacks take their defaults (the required ones are an error).
     */
    public static ModelConfig fromJson(JsonNode c, String source) {
        Properties p = new Properties();
        for (String key : KEY_ORDER) {
            JsonNode v = c.hasNonNull(OURS + key) ? c.get(OURS + key) : c.get(key);
            if (v != null && !v.isNull()) p.setProperty(key, v.asText());
        }
        return parse(p, source);
    }

    /** This configuration for a vocabulary of the given size; a different stated vocab_size is an error. */
    public ModelConfig withVocabSize(int size) {
        if (vocabSize != 0 && vocabSize != size) {
            throw new IllegalArgumentException("the model configuration states vocab_size " + vocabSize
                    + " but the vocabulary has " + size + " tokens: remove vocab_size or use the matching vocabulary");
        }
        return with(Map.of("vocab_size", size));
    }

    /** The same model with other dropout probabilities (0 for gradient checks). */
    public ModelConfig withDropout(float hidden, float attention) {
        return with(Map.of("hidden_dropout_prob", hidden, "attention_probs_dropout_prob", attention));
    }

    /**
     * The same model with an n-way sentence head (fine-tuning: 3 for MNLI), or with n = 1 a regression
     * head trained with mean squared error (STS-B), as Hugging Face's num_labels.
     */
    public ModelConfig withNumLabels(int n) {
        return with(Map.of("num_labels", n));
    }

    /** Factorised embeddings or shared layers: the model is named and stored as ALBERT (ELECTRA projects its own). */
    public boolean albertOptions() {
        return !electra() && (shareLayers || embeddingSize != hiddenSize);
    }

    public boolean hasSentenceTask() {
        return !objective.equals("mlm") && !electra();
    }

    /** Whether this is ELECTRA's discriminator, trained beside a generator. */
    public boolean electra() {
        return objective.equals(ELECTRA);
    }

    /**
     * ELECTRA's generator: the discriminator's layer count and embeddings with generator_size times
     * its hidden size, heads and intermediate size (ELECTRA's own scaling), as a masked LM.
     */
    public ModelConfig generator() {
        if (!electra()) throw new IllegalStateException("objective " + objective + " has no generator");
        return new ModelConfig(
                vocabSize,
                Math.round(hiddenSize * generatorSize),
                numHiddenLayers,
                Math.max(1, Math.round(numAttentionHeads * generatorSize)),
                Math.round(intermediateSize * generatorSize),
                maxPositionEmbeddings,
                typeVocabSize,
                hiddenDropoutProb,
                attentionProbsDropoutProb,
                layerNormEps,
                initializerRange,
                false,
                embeddingSize,
                false,
                "mlm",
                numLabels,
                ABSOLUTE);
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** The same model with another position encoding. */
    public ModelConfig withPositionEmbeddingType(String type) {
        return with(Map.of("position_embedding_type", type));
    }

    /** The same model trained with another objective (its sentence head follows it). */
    public ModelConfig withObjective(String objective) {
        return with(Map.of("objective", objective));
    }

    /** Whether token embeddings get a learned absolute position table (BERT's own). */
    public boolean learnedPositions() {
        return positionEmbeddingType.equals(ABSOLUTE);
    }

    /** Whether attention scores get relative-position terms (relative_key or relative_key_query). */
    public boolean relativePositions() {
        return positionEmbeddingType.startsWith("relative_");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    private record Values(Properties p, String source) {
        int integer(String key, Integer fallback) {
            String s = value(key, fallback);
            try {
                return s == null ? fallback : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": " + key + " must be an integer, got '" + s + "'");
            }
        }

        float number(String key, float fallback) {
            String s = value(key, fallback);
            try {
                return s == null ? fallback : Float.parseFloat(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": " + key + " must be a number, got '" + s + "'");
            }
        }

        boolean flag(String key, boolean fallback) {
            String s = value(key, fallback);
            if (s == null) return fallback;
            if (!s.equals("true") && !s.equals("false")) {
                throw new IllegalArgumentException(source + ": " + key + " must be true or false, got '" + s + "'");
            }
            return Boolean.parseBoolean(s);
        }

        private String value(String key, Object fallback) {
            String s = p.getProperty(key);
            if (s == null && fallback == null)
                throw new IllegalArgumentException(source + ": missing required key " + key);
            return s == null ? null : s.trim();
        }
    }
}
