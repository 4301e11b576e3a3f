package org.sparkbert.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Hugging Face's AutoTokenizer.from_pretrained(dir) as ported to JavaScript (npm
 * {@code @huggingface/transformers}, run by scripts/fixtures/hf-autotokenizer): unlike the Rust
 * tokenizers, it reads tokenizer_config.json (it fails without one) and takes the tokenizer class
 * and the special tokens from it.
 */
public final class AutoTokenizerOracle {
    private AutoTokenizerOracle() {}

    /** What AutoTokenizer found in {@code dir}: tokenizer_class, specials {name: {token, id}}, model_max_length, pair_ids. */
    public static JsonNode load(Path dir, String text, String pair) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("sparkbert.project.root"), "scripts", "fixtures", "hf-autotokenizer");
        Process p = new ProcessBuilder(script.toString(), dir.toString(), text, pair)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), script + " " + dir + ":\n" + out);
        String[] lines = out.split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }
}
