package org.sparkbert.ingest.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MinHashTest {
    /** Word 5-grams as strings, computed independently of {@link Shingles}: the true sets. */
    private static Set<String> trueShingles(String text) {
        List<String> words = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{Nd}_]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        Set<String> out = new HashSet<>();
        for (int i = 0; i + 5 <= words.size(); i++) {
            out.add(String.join(" ", words.subList(i, i + 5)));
        }
        return out;
    }

    private static double trueJaccard(String a, String b) {
        Set<String> x = trueShingles(a);
        Set<String> y = trueShingles(b);
        Set<String> union = new HashSet<>(x);
        union.addAll(y);
        x.retainAll(y);
        return (double) x.size() / union.size();
    }

    /** Replaces a fraction of the words with others: edits of known extent. */
    private static String edit(String text, double fraction, Random random) {
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            if (random.nextDouble() < fraction) {
                words[i] = "w" + random.nextInt(1_000_000);
            }
        }
        return String.join(" ", words);
    }

    private static List<String> sampleTexts() throws IOException {
        Path f = Path.of(
                System.getProperty("sparkbert.shared.data"),
                "c4/c4-realnewslike-train.00000-of-00512.records0001-0600.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            String t = json.readTree(line).get("text").asText();
            if (t.split(" ").length > 300) {
                texts.add(t);
            }
        }
        return texts;
    }

    @Test
    void estimatesAreWithinATenthOfTheTrueJaccardOnSampledPairs() throws IOException {
        List<String> texts = sampleTexts();
        MinHasher hasher = new MinHasher(128, 9, 13, 42);
        Random random = new Random(7);
        double[] editRates = {0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4};
        int pairs = 0;
        for (int i = 0; i < 40; i++) {
            String a = texts.get(random.nextInt(texts.size()));
            String b = i % 8 == 7 ? texts.get(random.nextInt(texts.size())) : edit(a, editRates[i % 7], random);
            double truth = trueJaccard(a, b);
            long[] sa = Shingles.of(a, 5);
            long[] sb = Shingles.of(b, 5);
            assertEquals(truth, Shingles.jaccard(sa, sb), 1e-3, "hashed shingle sets stand for the string sets");
            double estimate = MinHasher.estimate(hasher.signature(sa), hasher.signature(sb));
            assertEquals(truth, estimate, 0.1, "pair " + i);
            pairs++;
        }
        assertEquals(40, pairs);
    }

    @Test
    void bandsAndRowsMinimiseTheErrorAreasAsDatasketchDoes() {
        // Values of datasketch's _optimal_param (scipy quad), and text-dedup's documented (25, 10) for 0.7 / 256.
        LshParameters p = LshParameters.optimal(0.8, 128, 0.5);
        assertEquals(9, p.bands);
        assertEquals(13, p.rows);
        LshParameters q = LshParameters.optimal(0.7, 256, 0.5);
        assertEquals(25, q.bands);
        assertEquals(10, q.rows);
        LshParameters r = LshParameters.optimal(0.5, 128, 0.5);
        assertEquals(25, r.bands);
        assertEquals(5, r.rows);
        // The stage's weight favours recall: candidates are verified, so false positives cost little.
        LshParameters recall = LshParameters.optimal(0.8, 128, 0.1);
        assertEquals(14, recall.bands);
        assertEquals(9, recall.rows);
    }

    @Test
    void similarDocumentsShareABandAndDissimilarOnesRarelyDo() throws IOException {
        List<String> texts = sampleTexts();
        MinHasher hasher = new MinHasher(128, 9, 13, 42);
        Random random = new Random(11);
        int found = 0;
        int falseHits = 0;
        for (int i = 0; i < 30; i++) {
            String a = texts.get(i);
            long[] ba = hasher.bandHashes(hasher.signature(Shingles.of(a, 5)));
            long[] near = hasher.bandHashes(hasher.signature(Shingles.of(edit(a, 0.01, random), 5)));
            long[] other = hasher.bandHashes(hasher.signature(Shingles.of(texts.get(i + 30), 5)));
            found += shareBand(ba, near) ? 1 : 0;
            falseHits += shareBand(ba, other) ? 1 : 0;
        }
        assertTrue(found >= 28, "copies with 1% of words edited are candidates: " + found + "/30");
        assertEquals(0, falseHits);
    }

    private static boolean shareBand(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                return true;
            }
        }
        return false;
    }
}
