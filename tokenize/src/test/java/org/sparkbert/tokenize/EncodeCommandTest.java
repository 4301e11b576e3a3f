package org.sparkbert.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/pretrain encode} end to end: files in, JSON lines of ids and tokens out. */
class EncodeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> readJsonLines(Path file) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(file)) records.add(JSON.readTree(line));
        return records;
    }

    @Test
    void jsonLinesEncodeToGooglesIdsAndTokensInInputOrder(@TempDir Path dir) throws IOException {
        Path reference = SharedData.bertDir().resolve("bert-base-uncased.reference-tokenization.jsonl");
        Path output = dir.resolve("encoded.jsonl");
        int code = EncodeCommand.execute(
                "--vocab",
                SharedData.bertDir().toString(),
                "--input",
                reference.toString(),
                "--output",
                output.toString());
        assertEquals(0, code);
        List<JsonNode> expected = readJsonLines(reference);
        List<JsonNode> actual = readJsonLines(output);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).get("ids"), actual.get(i).get("ids"), "line " + (i + 1));
            assertEquals(expected.get(i).get("wordpiece_tokens"), actual.get(i).get("tokens"), "line " + (i + 1));
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(output), files.toList(), "nothing but the output is left behind");
        }
    }

    @Test
    void plainTextWithBpeAndCasedWordPiece(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "Hello World, it's 2024!\n\n  Héllo  again\n");
        Path output = dir.resolve("out.jsonl");
        assertEquals(
                0,
                EncodeCommand.execute(
                        "--vocab",
                        SharedData.gpt2Dir().toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString(),
                        "--format",
                        "text"));
        List<JsonNode> records = readJsonLines(output);
        assertEquals(3, records.size());
        assertEquals(
                "[\"Hello\",\"ĠWorld\",\",\",\"Ġit\",\"'s\",\"Ġ2024\",\"!\"]",
                records.get(0).get("tokens").toString());
        JsonNode gpt2Vocab =
                JSON.readTree(SharedData.gpt2Dir().resolve("vocab.json").toFile());
        for (int i = 0; i < records.get(0).get("ids").size(); i++) {
            assertEquals(
                    gpt2Vocab.get(records.get(0).get("tokens").get(i).asText()).asInt(),
                    records.get(0).get("ids").get(i).asInt());
        }
        assertEquals(0, records.get(1).get("ids").size());

        assertEquals(
                0,
                EncodeCommand.execute(
                        "--vocab",
                        SharedData.bertDir().toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString(),
                        "--format",
                        "text",
                        "--lowercase",
                        "false"));
        // the uncased vocabulary has no capitalised words: cased input falls apart into pieces or [UNK]
        JsonNode tokens = readJsonLines(output).get(0).get("tokens");
        assertFalse(tokens.toString().contains("\"hello\""), tokens.toString());
    }

    @Test
    void badInputIsRefusedWithoutOutput(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, "{\"text\": \"fine\"}\n{\"body\": \"no text field\"}\n");
        Path output = dir.resolve("out.jsonl");
        assertEquals(
                1,
                EncodeCommand.execute(
                        "--vocab",
                        SharedData.bertDir().toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(input), files.toList());
        }
        assertEquals(
                2,
                EncodeCommand.execute(
                        "--vocab", dir.toString(), "--input", input.toString(), "--output", output.toString()),
                "a directory without a vocabulary");
        assertEquals(
                2,
                EncodeCommand.execute(
                        "--vocab",
                        SharedData.bertDir().toString(),
                        "--input",
                        dir.resolve("missing.jsonl").toString(),
                        "--output",
                        output.toString()));
        assertEquals(
                2,
                EncodeCommand.execute(
                        "--vocab",
                        SharedData.bertDir().toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString(),
                        "--lowercase",
                        "maybe"));
        assertTrue(Files.notExists(output));
    }
}
