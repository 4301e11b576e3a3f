package org.sparkbert.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every document of the shared C4 samples encodes to the same ids as Hugging Face tokenizers (the
 * Rust library through DJL), with bert-base-uncased's vocab.txt and with GPT-2's vocab.json and
 * merges.txt, each given to Hugging Face as the tokenizer.json we write for them.
 */
class HuggingFaceEquivalenceTest {
    private static List<String> documents;

    @BeforeAll
    static void readCorpus() {
        documents = SharedData.c4Documents();
        assertEquals(1641, documents.size());
    }

    @Test
    void bertBaseUncasedEqualsHuggingFace(@TempDir Path dir) throws IOException {
        Tokenizer ours = Tokenizers.load(SharedData.bertDir().toString(), null);
        List<String> vocab = Files.readAllLines(SharedData.bertDir().resolve("vocab.txt"));
        Path json = dir.resolve("tokenizer.json");
        try (OutputStream out = Files.newOutputStream(json)) {
            TokenizerJson.writeWordPiece(out, vocab, true);
        }
        try (HuggingFaceTokenizer theirs = HuggingFaceOracle.open(json)) {
            assertEquals(0, HuggingFaceOracle.mismatches(ours, theirs, documents));
        }
        long total = documents.stream().mapToLong(t -> ours.encode(t).length).sum();
        assertTrue(total > 700_000, "ids in the sample: " + total);
    }

    @Test
    void gpt2EqualsHuggingFace(@TempDir Path dir) throws IOException {
        Tokenizer ours = Tokenizers.load(SharedData.gpt2Dir().toString(), null);
        assertEquals(Tokenizer.Kind.BYTE_LEVEL_BPE, ours.kind());
        assertEquals(50257, ours.vocabularySize());
        List<String> vocab = new ArrayList<>();
        for (int id = 0; id < ours.vocabularySize(); id++) vocab.add(ours.token(id));
        List<String[]> merges;
        try (var in = Files.newInputStream(SharedData.gpt2Dir().resolve("merges.txt"))) {
            merges = VocabularyFiles.readMerges(in, "merges.txt");
        }
        assertEquals(50000, merges.size());
        Path json = dir.resolve("tokenizer.json");
        try (OutputStream out = Files.newOutputStream(json)) {
            TokenizerJson.writeByteLevelBpe(out, vocab, merges, false);
        }
        try (HuggingFaceTokenizer theirs = HuggingFaceOracle.open(json)) {
            assertEquals(0, HuggingFaceOracle.mismatches(ours, theirs, documents));
            List<String> edgeCases = List.of(
                    "",
                    " ",
                    "  hello   world  ",
                    "a\n\nb",
                    "it's they'll we've I'M",
                    "tab\there\u00a0nbsp 123abc 4.5 ¿qué? 日本語 🙂🙂",
                    "   \n  \t",
                    "x'",
                    "'s",
                    "a  1",
                    " \u2028 z");
            assertEquals(0, HuggingFaceOracle.mismatches(ours, theirs, edgeCases));
        }
    }
}
