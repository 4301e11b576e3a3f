package org.sparkbert.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The published test vectors of google-research/bert tokenization_test.py. */
class BertTokenizationVectorsTest {
    private static JsonNode vectors() throws IOException {
        return new ObjectMapper()
                .readTree(SharedData.bertDir()
                        .resolve("tokenization_test_vectors.json")
                        .toFile());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> tokens(WordPieceTokenizer tokenizer, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) out.add(tokenizer.token(id));
        return out;
    }

    @Test
    void everyCaseOfTokenizationTestPy() throws IOException {
        int checked = 0;
        for (JsonNode c : vectors().get("cases")) {
            String test = c.get("test").asText();
            String kind = c.path("tokenizer").asText();
            if (kind.startsWith("BasicTokenizer")) {
                boolean lower = kind.contains("True");
                assertEquals(
                        strings(c.get("expected_tokens")),
                        new BasicTokenizer(lower).words(c.get("input").asText()),
                        test);
            } else if (kind.startsWith("FullTokenizer") || kind.equals("WordpieceTokenizer")) {
                List<String> vocab = strings(c.get("vocab"));
                // tokenization_test.py's WordpieceTokenizer runs on whitespace-split text; its inputs are lower case
                // ASCII
                WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocab, true);
                int[] ids = tokenizer.encode(c.get("input").asText());
                assertEquals(strings(c.get("expected_tokens")), tokens(tokenizer, ids), test);
                if (c.has("expected_ids")) {
                    List<Integer> expected = new ArrayList<>();
                    c.get("expected_ids").forEach(n -> expected.add(n.asInt()));
                    List<Integer> actual = new ArrayList<>();
                    for (int id : ids) actual.add(id);
                    assertEquals(expected, actual, test);
                }
            } else {
                WordPieceTokenizer tokenizer = new WordPieceTokenizer(strings(c.get("vocab")), true);
                List<Integer> actual = new ArrayList<>();
                for (String t : strings(c.get("input_tokens"))) actual.add(tokenizer.id(t));
                List<Integer> expected = new ArrayList<>();
                c.get("expected_ids").forEach(n -> expected.add(n.asInt()));
                assertEquals(expected, actual, test);
            }
            checked++;
        }
        assertEquals(9, checked);
    }

    @Test
    void characterClasses() throws IOException {
        JsonNode classes = vectors().get("char_classes");
        for (String s : strings(classes.get("is_whitespace_true"))) {
            assertEquals(BertCharacters.WHITESPACE, BertCharacters.classOf(s.codePointAt(0)), "whitespace: " + s);
        }
        for (String s : strings(classes.get("is_whitespace_false"))) {
            assertTrue(BertCharacters.classOf(s.codePointAt(0)) != BertCharacters.WHITESPACE, "not whitespace: " + s);
        }
        for (String s : strings(classes.get("is_control_true"))) {
            assertEquals(BertCharacters.CONTROL, BertCharacters.classOf(s.codePointAt(0)), "control: " + s);
        }
        for (String s : strings(classes.get("is_control_false"))) {
            assertTrue(BertCharacters.classOf(s.codePointAt(0)) != BertCharacters.CONTROL, "not control: " + s);
        }
        for (String s : strings(classes.get("is_punctuation_true"))) {
            assertTrue(BertCharacters.isPunctuation(s.codePointAt(0)), "punctuation: " + s);
        }
        for (String s : strings(classes.get("is_punctuation_false"))) {
            assertTrue(!BertCharacters.isPunctuation(s.codePointAt(0)), "not punctuation: " + s);
        }
    }
}
