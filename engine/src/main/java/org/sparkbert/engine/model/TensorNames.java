package org.sparkbert.engine.model;

/**
 * The Hugging Face tensor names of a configuration: BertForPreTraining for post-LN BERT,
 * RobertaPreLayerNormForMaskedLM for pre-LN (with BERT's pooler and classifier names when it has a
 * sentence task), AlbertForPreTraining for the ALBERT options.
 */
final class TensorNames {
    enum Style {
        BERT,
        PRE_LN,
        ALBERT,
        ELECTRA
    }

    /** The parts of a transformer layer, named after what they do here. */
    enum LayerPart {
        QUERY,
        KEY,
        VALUE,
        ATTENTION_OUT,
        ATTENTION_NORM,
        FFN_IN,
        FFN_OUT,
        FFN_NORM,
        DISTANCE_EMBEDDING
    }

    private final Style style;
    private final String prefix;

    /** The prefix of ELECTRA's generator tensors in a sparkbert checkpoint. */
    static final String GENERATOR = "generator.";

    TensorNames(ModelConfig config) {
        style = config.electra()
                ? Style.ELECTRA
                : config.preLayerNorm() ? Style.PRE_LN : config.albertOptions() ? Style.ALBERT : Style.BERT;
        prefix = switch (style) {
            case BERT -> "bert";
            case PRE_LN -> "roberta_prelayernorm";
            case ALBERT -> "albert";
            case ELECTRA -> "electra";
        };
    }

    private TensorNames(Style style, String prefix) {
        this.style = style;
        this.prefix = prefix;
    }

    /** ELECTRA's generator: its encoder, projection and head. */
    TensorNames generator() {
        if (style != Style.ELECTRA) throw new IllegalStateException(style + " has no generator");
        return new TensorNames(style, GENERATOR + prefix);
    }

    String discriminatorDense() {
        return "discriminator_predictions.dense";
    }

    String discriminatorPrediction() {
        return "discriminator_predictions.dense_prediction";
    }

    String embedding(String table) {
        return prefix + ".embeddings." + table + ".weight";
    }

    String embeddingNorm() {
        return prefix + ".embeddings.LayerNorm";
    }

    String embeddingMapping() {
        return style == Style.ELECTRA ? prefix + ".embeddings_project" : "albert.encoder.embedding_hidden_mapping_in";
    }

    String finalNorm() {
        return prefix + ".LayerNorm";
    }

    /** The module name of one part of layer (or ALBERT layer group) n, without .weight/.bias. */
    String layer(int n, LayerPart part) {
        if (style == Style.ALBERT) {
            String base = "albert.encoder.albert_layer_groups." + n + ".albert_layers.0.";
            return base
                    + switch (part) {
                        case QUERY -> "attention.query";
                        case KEY -> "attention.key";
                        case VALUE -> "attention.value";
                        case ATTENTION_OUT -> "attention.dense";
                        case ATTENTION_NORM -> "attention.LayerNorm";
                        case FFN_IN -> "ffn";
                        case FFN_OUT -> "ffn_output";
                        case FFN_NORM -> "full_layer_layer_norm";
                        case DISTANCE_EMBEDDING -> "attention.distance_embedding";
                    };
        }
        String base = prefix + ".encoder.layer." + n + ".";
        return base
                + switch (part) {
                    case QUERY -> "attention.self.query";
                    case KEY -> "attention.self.key";
                    case VALUE -> "attention.self.value";
                    case ATTENTION_OUT -> "attention.output.dense";
                    case ATTENTION_NORM -> style == Style.PRE_LN ? "attention.LayerNorm" : "attention.output.LayerNorm";
                    case FFN_IN -> "intermediate.dense";
                    case FFN_OUT -> "output.dense";
                    case FFN_NORM -> style == Style.PRE_LN ? "intermediate.LayerNorm" : "output.LayerNorm";
                    case DISTANCE_EMBEDDING -> "attention.self.distance_embedding";
                };
    }

    String pooler() {
        return style == Style.ALBERT ? "albert.pooler" : "bert.pooler.dense";
    }

    String classifier() {
        return style == Style.ALBERT ? "sop_classifier.classifier" : "cls.seq_relationship";
    }

    String transform() {
        return switch (style) {
            case BERT -> "cls.predictions.transform.dense";
            case PRE_LN -> "lm_head.dense";
            case ALBERT -> "predictions.dense";
            case ELECTRA -> GENERATOR + "generator_predictions.dense";
        };
    }

    String transformNorm() {
        return switch (style) {
            case BERT -> "cls.predictions.transform.LayerNorm";
            case PRE_LN -> "lm_head.layer_norm";
            case ALBERT -> "predictions.LayerNorm";
            case ELECTRA -> GENERATOR + "generator_predictions.LayerNorm";
        };
    }

    String decoderBias() {
        return switch (style) {
            case BERT -> "cls.predictions.bias";
            case PRE_LN -> "lm_head.bias";
            case ALBERT -> "predictions.bias";
            case ELECTRA -> GENERATOR + "generator_lm_head.bias";
        };
    }
}
