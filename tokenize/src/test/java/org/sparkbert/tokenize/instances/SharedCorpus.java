package org.sparkbert.tokenize.instances;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;

/** The shared third-party test data (../shared/data): the C4 sample and the published vocabularies. */
public final class SharedCorpus {
    public static final String C4_REALNEWSLIKE = "c4/c4-realnewslike-train.00000-of-00512.records0001-0600.jsonl";
    public static final String C4_EN = "c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl";

    private SharedCorpus() {}

    public static Path dir() {
        String p = System.getProperty("sparkbert.shared.data");
        if (p == null || !Files.isDirectory(Path.of(p))) {
            throw new IllegalStateException("The shared test data is missing: system property sparkbert.shared.data = "
                    + p + " (surefire sets it to <repo>/../shared/data).");
        }
        return Path.of(p);
    }

    public static Path bertVocabDir() {
        return dir().resolve("bert");
    }

    public static Path gpt2VocabDir() {
        return dir().resolve("gpt2");
    }

    /** bert-base-uncased's WordPiece vocabulary, read as the stages read a vocabulary directory. */
    public static Tokenizer bertTokenizer() {
        try {
            return Tokenizers.load(bertVocabDir().toString(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Documents of a C4 file encoded into sentences of ids, at least {@code minTokens} tokens in all. */
    public static List<TokenizedDocument> encoded(Tokenizer tokenizer, String file, long minTokens) {
        DocumentEncoder encoder = new DocumentEncoder(tokenizer);
        List<TokenizedDocument> out = new ArrayList<>();
        long tokens = 0;
        for (Doc doc : c4(file, Integer.MAX_VALUE)) {
            if (tokens >= minTokens) {
                break;
            }
            TokenizedDocument encoded = encoder.encode(doc.id(), doc.text());
            tokens += encoded.tokenCount();
            out.add(encoded);
        }
        if (tokens < minTokens) {
            throw new IllegalStateException(
                    file + " holds only " + tokens + " tokens, fewer than the " + minTokens + " asked for.");
        }
        return out;
    }

    /** A C4 document: the id we give it (file name and line) and its text. */
    public record Doc(String id, String text) {}

    /** The first {@code limit} documents of a C4 JSON-lines file. */
    public static List<Doc> c4(String file, int limit) {
        ObjectMapper json = new ObjectMapper();
        List<Doc> docs = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(dir().resolve(file));
            for (int i = 0; i < lines.size() && docs.size() < limit; i++) {
                JsonNode node = json.readTree(lines.get(i));
                docs.add(new Doc(
                        Path.of(file).getFileName() + ":" + (i + 1),
                        node.get("text").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }
}
