package org.sparkbert.evaluate.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What perplexity.json says about the text it scored and, for a validation split, its
 * {@code held_out} figures: the model's and both count baselines' cross-entropy (nats) on the same
 * masked positions, and the encoder diagnostics. Figures absent from the file are NaN.
 */
public record HeldOut(
        long step,
        String scored,
        double modelNats,
        double unigramNats,
        double neighbourNats,
        double anisotropy,
        double effectiveRank,
        int hiddenSize) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean hasBaselines() {
        return Double.isFinite(unigramNats) && Double.isFinite(neighbourNats);
    }

    /** The figures of a perplexity.json text, or null when it says nothing of what it scored (older files). */
    static HeldOut fromJson(String text, long step) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (root == null || !root.hasNonNull("scored")) {
            return null;
        }
        JsonNode h = root.path("held_out");
        return new HeldOut(
                step,
                root.get("scored").asText(),
                number(h, "model_nats", number(root, "mean_cross_entropy", Double.NaN)),
                number(h, "unigram_nats", Double.NaN),
                number(h, "neighbour_nats", Double.NaN),
                number(h, "anisotropy", Double.NaN),
                number(h, "effective_rank", Double.NaN),
                h.path("hidden_size").asInt(0));
    }

    private static double number(JsonNode node, String field, double otherwise) {
        return node.path(field).isNumber() ? node.get(field).asDouble() : otherwise;
    }
}
