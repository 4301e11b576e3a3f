package org.sparkbert.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged vocabulary directory is refused with a message that names the file, the line and the problem. */
class DamagedVocabularyTest {
    private static String refusal(Path dir) {
        return assertThrows(VocabularyFormatException.class, () -> Tokenizers.load(dir.toString(), null))
                .getMessage();
    }

    private static List<String> bertVocab() throws IOException {
        return new ArrayList<>(Files.readAllLines(SharedData.bertDir().resolve("vocab.txt")));
    }

    @Test
    void vocabTxtWithADuplicateMissingSpecialsOrAnotherFormat(@TempDir Path dir) throws IOException {
        List<String> vocab = bertVocab();
        vocab.set(2000, vocab.get(1999));
        Files.write(dir.resolve("vocab.txt"), vocab);
        String message = refusal(dir);
        assertTrue(
                message.contains("line 2001") && message.contains("line 2000") && message.contains("repeats"), message);

        vocab = bertVocab();
        vocab.remove("[MASK]");
        Files.write(dir.resolve("vocab.txt"), vocab);
        message = refusal(dir);
        assertTrue(message.contains("[MASK]"), message);

        Files.write(dir.resolve("vocab.txt"), List.of("[PAD]\t0", "[UNK]\t0", "the\t-3.2"));
        message = refusal(dir);
        assertTrue(message.contains("line 1") && message.contains("whitespace"), message);

        Files.write(dir.resolve("vocab.txt"), List.of("[PAD]", "", "[UNK]"));
        message = refusal(dir);
        assertTrue(message.contains("line 2") && message.contains("empty"), message);

        Files.writeString(dir.resolve("vocab.txt"), "");
        assertTrue(refusal(dir).contains("empty"));
    }

    @Test
    void byteLevelFilesDamaged(@TempDir Path dir) throws IOException {
        Path gpt2 = SharedData.gpt2Dir();
        List<String> merges = new ArrayList<>(Files.readAllLines(gpt2.resolve("merges.txt")));
        Files.copy(gpt2.resolve("vocab.json"), dir.resolve("vocab.json"));

        List<String> damaged = new ArrayList<>(merges);
        damaged.set(10, "Ġ t h");
        Files.write(dir.resolve("merges.txt"), damaged);
        String message = refusal(dir);
        assertTrue(message.contains("line 11") && message.contains("not a merge"), message);

        damaged = new ArrayList<>(merges);
        damaged.set(20, damaged.get(5));
        Files.write(dir.resolve("merges.txt"), damaged);
        message = refusal(dir);
        assertTrue(message.contains("line 21") && message.contains("line 6"), message);

        damaged = new ArrayList<>(merges);
        damaged.set(30, "Ġ zzqqxx");
        Files.write(dir.resolve("merges.txt"), damaged);
        message = refusal(dir);
        assertTrue(message.contains("merge 30") && message.contains("not in the vocabulary"), message);

        Files.write(dir.resolve("merges.txt"), merges);
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 0}");
        message = refusal(dir);
        assertTrue(message.contains("share the id 0"), message);
        Files.writeString(dir.resolve("vocab.json"), "[\"a\", \"b\"]");
        assertTrue(refusal(dir).contains("JSON object"));
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, ");
        assertTrue(refusal(dir).contains("not valid JSON"));
    }

    @Test
    void aDirectoryWithoutAVocabularyAndTheRightOneStillLoads(@TempDir Path dir) throws IOException {
        assertTrue(refusal(dir).contains("expected vocab.txt"));
        Files.copy(SharedData.bertDir().resolve("vocab.txt"), dir.resolve("vocab.txt"));
        assertEquals(30522, Tokenizers.load(dir.toString(), null).vocabularySize());
    }
}
