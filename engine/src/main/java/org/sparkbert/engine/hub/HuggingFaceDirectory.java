package org.sparkbert.engine.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.checkpoint.Safetensors;
import org.sparkbert.engine.checkpoint.TokenizerKind;

/**
 * Writes a model directory as Hugging Face's save_pretrained does for a BERT model and its fast
 * tokenizer: config.json, model.safetensors, vocab.txt, tokenizer.json, tokenizer_config.json and
 * special_tokens_map.json.
 */
public final class HuggingFaceDirectory {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String VOCAB_TXT = "vocab.txt";
    public static final String TOKENIZER_JSON = "tokenizer.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceDirectory() {}

    /** Writes an imported model with the tokenizer.json it came with (copied as it is). */
    public static void write(
            FileSystem fs,
            Path dir,
            OnnxBertImport.Result model,
            byte[] tokenizerJson,
            TokenizerJsonVocabulary vocabulary)
            throws IOException {
        long rows = model.tensors().get("embeddings.word_embeddings.weight").shape()[0];
        if (rows != vocabulary.tokens().size()) {
            throw new IllegalArgumentException(
                    "the model's word embeddings have " + rows + " rows but the tokenizer.json has "
                            + vocabulary.tokens().size() + " tokens: they do not belong together");
        }
        ObjectNode config = model.config().deepCopy();
        config.put("pad_token_id", vocabulary.padId());
        writeBytes(
                fs, new Path(dir, CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        try (OutputStream out = fs.create(new Path(dir, WEIGHTS), false)) {
            Safetensors.write(out, model.tensors(), Map.of("format", "pt"));
        }
        writeBytes(
                fs,
                new Path(dir, VOCAB_TXT),
                (String.join("\n", vocabulary.tokens()) + "\n").getBytes(StandardCharsets.UTF_8));
        writeBytes(fs, new Path(dir, TOKENIZER_JSON), tokenizerJson);
        int maxLength = config.path("max_position_embeddings").asInt();
        writeTokenizerConfig(fs, dir, TokenizerKind.WORDPIECE, vocabulary.lowercase(), maxLength);
    }

    /** tokenizer_config.json and special_tokens_map.json, as save_pretrained writes them. */
    public static void writeTokenizerConfig(
            FileSystem fs, Path dir, TokenizerKind kind, boolean lowercase, int maxLength) throws IOException {
        writeBytes(
                fs,
                new Path(dir, TokenizerKind.TOKENIZER_CONFIG),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(kind.tokenizerConfig(lowercase, maxLength)));
        writeBytes(
                fs,
                new Path(dir, TokenizerKind.SPECIAL_TOKENS_MAP),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(kind.specialTokensMap()));
    }

    private static void writeBytes(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(file, false)) {
            out.write(bytes);
        }
    }
}
