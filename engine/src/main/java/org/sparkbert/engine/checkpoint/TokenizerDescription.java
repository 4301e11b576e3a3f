package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a vocabulary directory holds, as far as Hugging Face's tokenizer_config.json needs to know:
 * the tokenizer family (vocab.txt: WordPiece; vocab.json + merges.txt: byte-level BPE) and whether
 * it lower-cases. Casing is taken from the first of: the directory's own tokenizer_config.json
 * (do_lower_case), its tokenizer.json normaliser, and for a bare vocab.txt the tokens themselves
 * (a cased vocabulary holds upper-case word pieces; bert-base-uncased's holds none).
 */
public record TokenizerDescription(TokenizerKind kind, boolean lowercase) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static TokenizerDescription of(FileSystem fs, Path vocabDir) throws IOException {
        TokenizerKind kind;
        if (fs.exists(new Path(vocabDir, "vocab.txt"))) {
            kind = TokenizerKind.WORDPIECE;
        } else if (fs.exists(new Path(vocabDir, "vocab.json")) && fs.exists(new Path(vocabDir, "merges.txt"))) {
            kind = TokenizerKind.BYTE_LEVEL_BPE;
        } else {
            throw new IOException(vocabDir + " holds neither vocab.txt (WordPiece) nor vocab.json + merges.txt"
                    + " (byte-level BPE): point the run at the vocab stage's output directory");
        }
        Path config = new Path(vocabDir, TokenizerKind.TOKENIZER_CONFIG);
        if (fs.exists(config)) {
            JsonNode lower = read(fs, config).path("do_lower_case");
            if (lower.isBoolean()) return new TokenizerDescription(kind, lower.asBoolean());
        }
        Path tokenizerJson = new Path(vocabDir, "tokenizer.json");
        if (fs.exists(tokenizerJson)) {
            JsonNode normalizer = read(fs, tokenizerJson).path("normalizer");
            if (normalizer.isObject()) return new TokenizerDescription(kind, lowercases(normalizer));
        }
        boolean lowercase = kind == TokenizerKind.WORDPIECE && !hasUpperCaseToken(fs, new Path(vocabDir, "vocab.txt"));
        return new TokenizerDescription(kind, lowercase);
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

    /** Special tokens ([CLS], [unused0]) are upper-case in every BERT vocabulary and say nothing. */
    private static boolean hasUpperCaseToken(FileSystem fs, Path vocabTxt) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(vocabTxt), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("[") && line.endsWith("]")) continue;
                if (!line.equals(line.toLowerCase(java.util.Locale.ROOT))) return true;
            }
        }
        return false;
    }

    private static JsonNode read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            JsonNode node = JSON.readTree(in);
            return node == null ? JSON.createObjectNode() : node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON (" + e.getOriginalMessage() + "): fix or remove it", e);
        }
    }
}
