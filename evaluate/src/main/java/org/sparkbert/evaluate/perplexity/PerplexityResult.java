package org.sparkbert.evaluate.perplexity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The content of {@code perplexity.json}, one checkpoint's held-out score:
 * <pre>{"perplexity": 23.4, "step": 1000, "checkpoint": ".../checkpoints/step-1000",
 *  "definition": "mlm", "tokens_scored": 51234, "seed": 12345}</pre>
 * {@code definition} is {@code mlm} (exp of the mean cross-entropy over masked positions drawn with
 * {@code seed}) or {@code pseudo} (Salazar et al.'s pseudo-perplexity: every token masked in turn);
 * the two are not comparable. {@code step} is -1 when unknown; a reader may take it from a
 * {@code step-N} directory around the file.
 */
public record PerplexityResult(
        double perplexity, long step, String checkpoint, String definition, long tokensScored, long seed) {
    public static final String MLM = "mlm";
    public static final String PSEUDO = "pseudo";
    public static final String FILE_NAME = "perplexity.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public PerplexityResult {
        if (!(perplexity >= 1.0) || Double.isInfinite(perplexity)) {
            throw new IllegalArgumentException("a perplexity is a finite number >= 1, not " + perplexity);
        }
        if (!MLM.equals(definition) && !PSEUDO.equals(definition)) {
            throw new IllegalArgumentException(
                    "perplexity definition must be '" + MLM + "' or '" + PSEUDO + "', not '" + definition + "'");
        }
    }

    public PerplexityResult withStep(long newStep) {
        return new PerplexityResult(perplexity, newStep, checkpoint, definition, tokensScored, seed);
    }

    public String toJson() {
        return toJson(java.util.Map.of());
    }

    /** The JSON with more top-level fields (what was scored, the held-out figures) after the standard ones. */
    public String toJson(java.util.Map<String, Object> extra) {
        ObjectNode root = JSON.createObjectNode();
        root.put("perplexity", perplexity);
        root.put("step", step);
        root.put("checkpoint", checkpoint);
        root.put("definition", definition);
        root.put("tokens_scored", tokensScored);
        root.put("seed", seed);
        extra.forEach((k, v) -> root.set(k, JSON.valueToTree(v)));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a {@code perplexity.json} text; {@code source} names the file in error messages. */
    public static PerplexityResult fromJson(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.path("perplexity").isNumber()) {
            throw new IllegalArgumentException(source + ": expected a JSON object with a number \"perplexity\"");
        }
        try {
            return new PerplexityResult(
                    root.get("perplexity").asDouble(),
                    root.path("step").asLong(-1),
                    root.path("checkpoint").asText(""),
                    root.path("definition").asText(MLM),
                    root.path("tokens_scored").asLong(0),
                    root.path("seed").asLong(0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }
}
