package org.sparkbert.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkbert.ingest.clean.CleaningRules;
import org.sparkbert.ingest.clean.PageFilter;
import org.sparkbert.job.Settings;

/** Real pages from the shared C4 sample, and JSON-lines files made of them, for the tests. */
final class Corpus {
    static final ObjectMapper JSON = new ObjectMapper();

    private Corpus() {}

    static Path sharedData() {
        String dir = System.getProperty("sparkbert.shared.data");
        if (dir == null) {
            throw new IllegalStateException("System property sparkbert.shared.data is not set (surefire sets it).");
        }
        return Path.of(dir);
    }

    static Path c4Dir() {
        return sharedData().resolve("c4");
    }

    static Path realNews() {
        return c4Dir().resolve("c4-realnewslike-train.00000-of-00512.records0001-0600.jsonl");
    }

    static Settings defaults() {
        return Settings.load(List.of("ingest.properties"), null, Map.of());
    }

    static Settings with(Map<String, String> overrides) {
        return Settings.load(List.of("ingest.properties"), null, overrides);
    }

    /** The texts of the shared realnewslike sample, in file order. */
    static List<String> realNewsTexts() {
        List<String> texts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(realNews(), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    texts.add(JSON.readTree(line).get("text").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }

    /**
     * Pages of the sample that the default page rules keep unchanged (every line already clean), so that a
     * test knows exactly what text to expect in clean/.
     */
    static List<String> cleanRealNews(int count, int minLines) {
        PageFilter filter = new PageFilter(new CleaningRules(defaults()));
        List<String> out = new ArrayList<>();
        for (String text : realNewsTexts()) {
            var verdict = filter.judge(text);
            if (verdict.isKept() && verdict.text.equals(text) && text.split("\n").length >= minLines) {
                out.add(text);
                if (out.size() == count) {
                    break;
                }
            }
        }
        if (out.size() < count) {
            throw new IllegalStateException("The shared sample has only " + out.size() + " clean pages");
        }
        return out;
    }

    static Map<String, Object> page(String text, String url, String timestamp) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text);
        if (url != null) {
            m.put("url", url);
        }
        if (timestamp != null) {
            m.put("timestamp", timestamp);
        }
        return m;
    }

    static Path writeJsonLines(Path file, List<Map<String, Object>> pages) {
        StringBuilder sb = new StringBuilder();
        try {
            for (Map<String, Object> p : pages) {
                sb.append(JSON.writeValueAsString(p)).append('\n');
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static JsonNode report(Path output) {
        try {
            return JSON.readTree(output.resolve("_REPORT.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
