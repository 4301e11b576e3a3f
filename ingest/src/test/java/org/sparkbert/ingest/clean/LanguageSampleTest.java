package org.sparkbert.ingest.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkbert.job.Settings;

/** Language identification from a bounded sample of a page agrees with identification from the whole text. */
class LanguageSampleTest {
    private static final int SAMPLE =
            new CleaningRules(Settings.load(List.of("ingest.properties"), null, Map.of())).languageSampleChars;

    @Test
    void aShortTextIsItsOwnSample() {
        String text = "A short page of text.";
        assertSame(text, LanguageIdentifier.sample(text, 2000));
        assertSame(text, LanguageIdentifier.sample(text, 0));
    }

    @Test
    void aLongTextIsSampledFromStartToEndInWholeWords() {
        StringBuilder page = new StringBuilder();
        for (int i = 0; page.length() < 20_000; i++) {
            page.append("word").append(i).append(i % 12 == 11 ? ".\n" : " ");
        }
        String text = page.toString();
        String sample = LanguageIdentifier.sample(text, 2000);
        assertTrue(sample.length() <= 2000 + LanguageIdentifier.WINDOWS, "sample length " + sample.length());
        assertTrue(sample.length() >= 1800, "sample length " + sample.length());
        String[] windows = sample.split("\n");
        assertTrue(windows[0].startsWith("word0 "));
        assertTrue(text.strip().endsWith(windows[windows.length - 1].strip()));
        for (String w : sample.split("\\s+")) {
            assertTrue(w.matches("word[0-9]+\\.?"), "a cut word: " + w);
        }
        assertEquals(sample, LanguageIdentifier.sample(text, 2000));
    }

    @Test
    void theDefaultSampleIsBoundedAndOn() {
        assertTrue(SAMPLE > 0 && SAMPLE <= 10_000, "ingest.rule.language.sample_chars = " + SAMPLE);
    }

    /**
     * On every page of the shared C4 files that reaches language identification (kept by clean_page and
     * the bad-words rule), the sampled decision (English at 0.99, too uncertain, another language, none)
     * equals the whole-text decision on at least 99.5% of pages (2,034 of 2,039 measured at 2,000
     * characters on these two files and the cc-raw ones, docs/BENCHMARKS.md "Ingest").
     */
    @Test
    void sampledDecisionsAgreeWithWholeTextDecisionsOnTheC4Sample() throws IOException {
        CleaningRules rules = new CleaningRules(Settings.load(List.of("ingest.properties"), null, Map.of()));
        C4PageCleaner cleaner = new C4PageCleaner(rules);
        BadWords badWords = BadWords.english();
        List<String> pages = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        Path c4 = Path.of(System.getProperty("sparkbert.shared.data")).resolve("c4");
        for (String name : List.of(
                "c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl",
                "c4-realnewslike-train.00000-of-00512.records0001-0600.jsonl")) {
            for (String line : Files.readAllLines(c4.resolve(name))) {
                JsonNode text = line.isBlank() ? null : json.readTree(line).get("text");
                if (text != null && text.isTextual()) {
                    PageVerdict v = cleaner.clean(text.asText());
                    if (v.isKept() && badWords.findIn(v.text) == null) {
                        pages.add(v.text);
                    }
                }
            }
        }
        assertTrue(pages.size() > 1000, pages.size() + " pages");
        LanguageIdentifier whole = new LanguageIdentifier(0);
        LanguageIdentifier sampled = new LanguageIdentifier(SAMPLE);
        int agree = 0;
        int longPages = 0;
        for (String page : pages) {
            if (page.length() > SAMPLE) {
                longPages++;
            }
            if (decision(whole.identify(page)).equals(decision(sampled.identify(page)))) {
                agree++;
            }
        }
        assertTrue(longPages > 200, longPages + " pages longer than the sample");
        assertTrue(agree >= 0.995 * pages.size(), agree + " of " + pages.size() + " decisions agree");
    }

    @Test
    void theNGramTableAnswersAsAHashMap() {
        java.util.Map<String, double[]> plain = new java.util.HashMap<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 50_000; i++) {
            char[] k = new char[1 + random.nextInt(3)];
            for (int j = 0; j < k.length; j++) {
                k[j] = (char) (random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0xFFFF) + 1);
            }
            plain.put(new String(k), new double[] {i});
        }
        plain.put("a longer key", new double[] {-1});
        NGramTable table = new NGramTable(plain);
        for (Map.Entry<String, double[]> e : plain.entrySet()) {
            assertSame(e.getValue(), table.get(e.getKey()));
            assertTrue(table.containsKey(e.getKey()));
        }
        for (int i = 0; i < 50_000; i++) {
            String k = Integer.toString(i, 36);
            assertEquals(plain.containsKey(k), table.containsKey(k));
            assertSame(plain.get(k), table.get(k));
        }
        assertEquals(null, table.get(""));
        assertEquals(plain.size(), table.size());
    }

    @Test
    void knownLanguagesAreFound() {
        LanguageIdentifier whole = new LanguageIdentifier(0);
        String english = "The quick brown fox jumps over the lazy dog near the river bank, every single morning.";
        String german = "Der schnelle braune Fuchs springt heute über den faulen Hund am Fluss.";
        String russian = "Быстрая коричневая лиса прыгает через ленивую собаку у реки каждое утро.";
        String chinese = "敏捷的棕色狐狸每天早上在河边跳过那只懒狗。";
        assertEquals("en", whole.identify(english).language);
        assertEquals("de", whole.identify(german).language);
        assertEquals("ru", whole.identify(russian).language);
        assertTrue(whole.identify(chinese).language.startsWith("zh"));
        assertNotEquals(whole.identify(english).probability, 0.0);
    }

    private static String decision(LanguageIdentifier.Guess g) {
        if (g == null) {
            return "undetected";
        }
        return g.probability < 0.99 ? "low" : g.language.equals("en") ? "en" : "other";
    }
}
