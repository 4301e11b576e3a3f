package org.sparkbert.engine.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The WordPiece vocabulary of a Hugging Face tokenizer.json (model.type WordPiece, model.vocab
 * {token: id}) in id order, whether its normaliser lower-cases, and its padding id.
 */
public record TokenizerJsonVocabulary(List<String> tokens, boolean lowercase, int padId) {

    public static TokenizerJsonVocabulary parse(byte[] json, String source) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IOException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode model = root == null ? null : root.path("model");
        if (model == null || !"WordPiece".equals(model.path("type").asText())) {
            throw new IOException(source + ": model.type is '"
                    + (model == null ? "" : model.path("type").asText())
                    + "', only WordPiece tokenizer.json files (BERT's) can be imported");
        }
        JsonNode vocab = model.path("vocab");
        String[] byId = new String[vocab.size()];
        Iterator<Map.Entry<String, JsonNode>> fields = vocab.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            int id = f.getValue().asInt(-1);
            if (id < 0 || id >= byId.length || byId[id] != null) {
                throw new IOException(source + ": model.vocab gives '" + f.getKey() + "' the id " + f.getValue()
                        + "; ids must be 0.." + (byId.length - 1) + ", each once");
            }
            byId[id] = f.getKey();
        }
        if (byId.length == 0) throw new IOException(source + ": model.vocab is empty");
        List<String> tokens = Arrays.asList(byId);
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            if (!tokens.contains(special)) throw new IOException(source + ": the vocabulary has no " + special);
        }
        boolean lowercase = lowercases(root.path("normalizer"));
        int padId = root.path("padding").path("pad_id").asInt(tokens.indexOf("[PAD]"));
        return new TokenizerJsonVocabulary(List.copyOf(tokens), lowercase, padId);
    }

    /** BertNormalizer's lowercase flag, or a Lowercase step inside a Sequence normaliser. */
    private static boolean lowercases(JsonNode normalizer) {
        String type = normalizer.path("type").asText();
        if (type.equals("BertNormalizer")) return normalizer.path("lowercase").asBoolean(true);
        if (type.equals("Lowercase")) return true;
        if (type.equals("Sequence")) {
            for (JsonNode step : normalizer.path("normalizers")) {
                if (lowercases(step)) return true;
            }
        }
        return false;
    }
}
