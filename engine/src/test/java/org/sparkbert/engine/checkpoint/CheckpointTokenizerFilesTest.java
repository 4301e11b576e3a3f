package org.sparkbert.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.model.ModelConfig;

/**
 * Every checkpoint directory holds tokenizer_config.json and special_tokens_map.json as Hugging
 * Face's save_pretrained writes them. The independent reader is Hugging Face's AutoTokenizer as
 * ported to JavaScript (scripts/fixtures/hf-autotokenizer, npm @huggingface/transformers), which
 * fails on a directory without tokenizer_config.json and takes the tokenizer class and special
 * tokens from it; the ids it resolves are checked against the line numbers of the real
 * bert-base-uncased vocab.txt.
 */
class CheckpointTokenizerFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void anUncasedWordPieceCheckpointLoadsInAutoTokenizerWithBertsSpecialTokens() throws Exception {
        java.nio.file.Path vocabDir = Files.createDirectories(tmp.resolve("vocab"));
        java.nio.file.Path bertVocab =
                java.nio.file.Path.of(System.getProperty("sparkbert.shared.data"), "bert", "vocab.txt");
        List<String> tokens = Files.readAllLines(bertVocab, StandardCharsets.UTF_8);
        Files.copy(bertVocab, vocabDir.resolve("vocab.txt"));
        Files.write(vocabDir.resolve("tokenizer.json"), JSON.writeValueAsBytes(bertTokenizerJson(tokens)));

        Path dir = writeCheckpoint(vocabDir);
        java.nio.file.Path local = java.nio.file.Path.of(dir.toUri());
        assertTrue(
                CheckpointManifest.verify(FileSystem.getLocal(new Configuration()), dir)
                        .digests()
                        .keySet()
                        .containsAll(List.of("tokenizer_config.json", "special_tokens_map.json")),
                "listed in the manifest");

        JsonNode config = JSON.readTree(local.resolve("tokenizer_config.json").toFile());
        JsonNode specials =
                JSON.readTree(local.resolve("special_tokens_map.json").toFile());
        // The keys of BertTokenizer.__init__ and PreTrainedTokenizerBase that save_pretrained writes.
        assertEquals("BertTokenizer", config.path("tokenizer_class").asText());
        assertTrue(config.path("do_lower_case").asBoolean(false), "the vocabulary's tokenizer.json lower-cases");
        assertEquals(
                model().maxPositionEmbeddings(), config.path("model_max_length").asInt());
        Map<String, String> expected = Map.of(
                "cls_token",
                "[CLS]",
                "sep_token",
                "[SEP]",
                "pad_token",
                "[PAD]",
                "mask_token",
                "[MASK]",
                "unk_token",
                "[UNK]");
        assertEquals(expected.size(), specials.size(), specials.toString());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), specials.path(e.getKey()).asText(), e.getKey());
            assertEquals(e.getValue(), config.path(e.getKey()).asText(), e.getKey());
        }

        JsonNode theirs = autoTokenizer(local, "Hello World", "Good Bye");
        assertEquals("BertTokenizer", theirs.path("tokenizer_class").asText(), theirs.toString());
        assertEquals(
                model().maxPositionEmbeddings(), theirs.path("model_max_length").asInt(), theirs.toString());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            JsonNode found = theirs.path("specials").path(e.getKey());
            assertEquals(e.getValue(), found.path("token").asText(), e.getKey());
            assertEquals(
                    tokens.indexOf(e.getValue()),
                    found.path("id").asInt(),
                    e.getKey() + " resolves to its vocab.txt line");
        }
        assertEquals(
                List.of(
                        101,
                        tokens.indexOf("hello"),
                        tokens.indexOf("world"),
                        102,
                        tokens.indexOf("good"),
                        tokens.indexOf("bye"),
                        102),
                ids(theirs.path("pair_ids")),
                "[CLS] A [SEP] B [SEP], lower-cased");
    }

    @Test
    void aCasedVocabularyWithoutTokenizerJsonIsWrittenAsCased() throws Exception {
        java.nio.file.Path vocabDir = Files.createDirectories(tmp.resolve("cased"));
        Files.writeString(vocabDir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nThe\n##s\n");
        JsonNode config =
                JSON.readTree(java.nio.file.Path.of(writeCheckpoint(vocabDir).toUri())
                        .resolve("tokenizer_config.json")
                        .toFile());
        assertFalse(config.path("do_lower_case").asBoolean(true), "vocab.txt holds 'The': a cased vocabulary");
        assertEquals("BertTokenizer", config.path("tokenizer_class").asText());
    }

    private Path writeCheckpoint(java.nio.file.Path vocabDir) throws Exception {
        java.nio.file.Path golden = SafetensorsTest.goldenDir().resolve("post_ln");
        Map<String, StoredTensor> weights = Safetensors.read(
                        Files.readAllBytes(golden.resolve("weights.safetensors")), "post_ln")
                .tensors();
        Checkpoint checkpoint =
                new Checkpoint(model(), weights, 0, new Path(vocabDir.toUri().toString()), Map.of());
        return new CheckpointWriter(
                        FileSystem.getLocal(new Configuration()),
                        new Path(tmp.resolve("run-" + vocabDir.getFileName())
                                .toUri()
                                .toString()))
                .write(1, checkpoint);
    }

    private static ModelConfig model() throws Exception {
        return CheckpointWriterTest.goldenConfig(
                SafetensorsTest.goldenDir().resolve("post_ln").resolve("config.json"));
    }

    static JsonNode autoTokenizer(java.nio.file.Path dir, String text, String pair) throws Exception {
        Process p = new ProcessBuilder(
                        SafetensorsTest.projectRoot()
                                .resolve("scripts/fixtures/hf-autotokenizer")
                                .toString(),
                        dir.toString(),
                        text,
                        pair)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "scripts/fixtures/hf-autotokenizer " + dir + ":\n" + out);
        String[] lines = out.split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static List<Integer> ids(JsonNode array) {
        List<Integer> ids = new java.util.ArrayList<>();
        array.forEach(n -> ids.add(n.asInt()));
        return ids;
    }

    /** The tokenizer.json of bert-base-uncased's fast tokenizer, as tokenizers serialises it. */
    private static ObjectNode bertTokenizerJson(List<String> tokens) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            added.addObject()
                    .put("id", tokens.indexOf(special))
                    .put("content", special)
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putObject("normalizer")
                .put("type", "BertNormalizer")
                .put("clean_text", true)
                .put("handle_chinese_chars", true)
                .putNull("strip_accents")
                .put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "BertProcessing");
        post.putArray("sep").add("[SEP]").add(tokens.indexOf("[SEP]"));
        post.putArray("cls").add("[CLS]").add(tokens.indexOf("[CLS]"));
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece")
                .put("unk_token", "[UNK]")
                .put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < tokens.size(); i++) vocab.put(tokens.get(i), i);
        return root;
    }
}
