package org.sparkbert.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Near-duplicates of real C4 pages, each with a word in sixty changed, beside untouched pages: with
 * line deduplication on (the default), one page of each pair goes whole, and no page survives as a
 * fragment left by line deduplication sharing its lines out between the two.
 */
class NearDuplicatePagesTest {
    private static final int PAIRS = 40;
    private static final int UNTOUCHED = 40;
    private static final int EVERY_NTH_WORD = 60;
    private static final String[] REPLACEMENTS = {"house", "river", "garden", "window", "paper", "winter", "market"};

    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("NearDuplicatePagesTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void nearDuplicatesLoseOneMemberWholeAndUntouchedPagesStay() {
        List<String> pages = pagesWithLinesOfTheirOwn(PAIRS + UNTOUCHED);
        Map<String, String> textOf = new HashMap<>();
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            String original = pages.get(i);
            String copy = changeWords(original);
            textOf.put("https://orig.example/" + i, original);
            textOf.put("https://copy.example/" + i, copy);
            records.add(Corpus.page(original, "https://orig.example/" + i, null));
            records.add(Corpus.page(copy, "https://copy.example/" + i, null));
        }
        for (int i = PAIRS; i < pages.size(); i++) {
            textOf.put("https://untouched.example/" + i, pages.get(i));
            records.add(Corpus.page(pages.get(i), "https://untouched.example/" + i, null));
        }
        Path input = Corpus.writeJsonLines(dir.resolve("in/pages.jsonl"), records);
        Path out = dir.resolve("out");
        assertEquals(0, IngestJobTest.ingest("--input", input.toString(), "--output", out.toString()));

        Map<String, String> kept = new HashMap<>();
        // kept pages are in clean/ or, held out by the URL hash, in validation/
        for (String folder : List.of("clean", "validation")) {
            for (Row r : spark.read().parquet(out.resolve(folder).toString()).collectAsList()) {
                kept.put(r.getAs("url"), r.getAs("text"));
            }
        }
        int pairsLosingOne = 0;
        for (int i = 0; i < PAIRS; i++) {
            int survivors = (kept.containsKey("https://orig.example/" + i) ? 1 : 0)
                    + (kept.containsKey("https://copy.example/" + i) ? 1 : 0);
            pairsLosingOne += survivors == 1 ? 1 : 0;
        }
        assertTrue(pairsLosingOne >= PAIRS * 9 / 10, pairsLosingOne + " of " + PAIRS + " pairs lost one member");
        for (Map.Entry<String, String> page : kept.entrySet()) {
            assertEquals(textOf.get(page.getKey()), page.getValue(), page.getKey() + " is whole, not a fragment");
        }
        for (int i = PAIRS; i < pages.size(); i++) {
            assertTrue(kept.containsKey("https://untouched.example/" + i), "untouched page " + i + " is kept");
        }
        JsonNode report = Corpus.report(out);
        assertEquals(kept.size(), report.path("records_out").asLong());
        assertEquals(
                pairsLosingOne, report.path("dropped").path("duplicate_near").asLong(), report.toString());
    }

    /** Clean real pages none of whose lines another of them has, so that line deduplication alone removes nothing. */
    private static List<String> pagesWithLinesOfTheirOwn(int count) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String text : Corpus.cleanRealNews(3 * count, 5)) {
            List<String> lines =
                    text.lines().map(l -> l.strip().toLowerCase(Locale.ROOT)).toList();
            if (lines.stream().noneMatch(seen::contains)
                    && new HashSet<>(lines).size() == lines.size()
                    && text.split("\\s+").length >= 3 * EVERY_NTH_WORD) {
                seen.addAll(lines);
                out.add(text);
                if (out.size() == count) {
                    return out;
                }
            }
        }
        throw new IllegalStateException("The shared sample has only " + out.size() + " suitable pages");
    }

    /** Replaces one word in every sixty (never a line's last word, which carries its punctuation). */
    static String changeWords(String text) {
        StringBuilder out = new StringBuilder();
        int word = 0;
        for (String line : text.split("\n", -1)) {
            String[] words = line.split(" ");
            for (int w = 0; w < words.length; w++) {
                word++;
                if (word % EVERY_NTH_WORD == 0 && w < words.length - 1 && words[w].matches("[A-Za-z]+")) {
                    String replacement = REPLACEMENTS[word / EVERY_NTH_WORD % REPLACEMENTS.length];
                    words[w] = replacement.equalsIgnoreCase(words[w]) ? "meadow" : replacement;
                }
            }
            out.append(String.join(" ", words)).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
