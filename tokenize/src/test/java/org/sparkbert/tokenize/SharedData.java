package org.sparkbert.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The third-party files of ../shared/data that the tokenizer tests compare against. */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String dir = System.getProperty("sparkbert.shared.data");
        if (dir == null)
            throw new IllegalStateException("system property sparkbert.shared.data is not set (surefire sets it)");
        return Path.of(dir);
    }

    public static Path bertDir() {
        return root().resolve("bert");
    }

    public static Path gpt2Dir() {
        return root().resolve("gpt2");
    }

    public static List<Path> c4Files() {
        return List.of(
                root().resolve("c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl"),
                root().resolve("c4/c4-realnewslike-train.00000-of-00512.records0001-0600.jsonl"));
    }

    /** The text of every document of the shared C4 samples (1,641 documents). */
    public static List<String> c4Documents() {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try {
            for (Path file : c4Files()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank())
                        texts.add(json.readTree(line).get("text").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }
}
