package org.sparkbert.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bert-base-uncased on 938 real inputs, against the outputs of the unmodified google-research/bert
 * tokenization.py (../shared/data/bert/bert-base-uncased.reference-tokenization.jsonl).
 */
class BertReferenceTokenizationTest {
    @Test
    void basicTokensAndIdsEqualGoogles() throws IOException {
        Tokenizer loaded = Tokenizers.load(SharedData.bertDir().toUri().toString(), null);
        assertSame(Tokenizer.Kind.WORDPIECE, loaded.kind());
        WordPieceTokenizer tokenizer = (WordPieceTokenizer) loaded;
        assertEquals(true, tokenizer.lowercase());
        assertEquals(30522, tokenizer.vocabularySize());
        ObjectMapper json = new ObjectMapper();
        int inputs = 0;
        long pieces = 0;
        for (String line :
                Files.readAllLines(SharedData.bertDir().resolve("bert-base-uncased.reference-tokenization.jsonl"))) {
            JsonNode ref = json.readTree(line);
            String text = ref.get("text").asText();
            List<String> basic = new ArrayList<>();
            ref.get("basic_tokens").forEach(n -> basic.add(n.asText()));
            assertEquals(basic, tokenizer.basicTokens(text), text);
            List<Integer> expected = new ArrayList<>();
            ref.get("ids").forEach(n -> expected.add(n.asInt()));
            List<Integer> actual = new ArrayList<>();
            for (int id : tokenizer.encode(text)) actual.add(id);
            assertEquals(expected, actual, text);
            inputs++;
            pieces += actual.size();
        }
        assertEquals(938, inputs);
        assertEquals(57173, pieces);
    }
}
