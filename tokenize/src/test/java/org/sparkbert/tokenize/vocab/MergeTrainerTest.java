package org.sparkbert.tokenize.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.sparkbert.tokenize.WordSplitter;

/**
 * The incremental merge loop against the textbook one, which rescans every word for every merge:
 * both must choose the same merges in the same order, for both scorings and both models.
 */
class MergeTrainerTest {
    private static Map<String, Long> wordCounts(WordSplitter splitter, int documents) throws IOException {
        Path c4 = Path.of(
                System.getProperty("sparkbert.shared.data"),
                "c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl");
        ObjectMapper json = new ObjectMapper();
        Map<String, Long> counts = new TreeMap<>();
        List<String> lines = Files.readAllLines(c4);
        for (int i = 0; i < documents; i++) {
            splitter.split(json.readTree(lines.get(i)).get("text").asText(), w -> counts.merge(w, 1L, Long::sum));
        }
        return counts;
    }

    /** The textbook loop: score every adjacent pair from scratch, merge the best everywhere, repeat. */
    private static List<String> bruteForceMerges(
            InitialVocabulary initial, String prefix, Scoring scoring, int vocabSize, long minFrequency) {
        List<String> tokens = new ArrayList<>(initial.tokens());
        List<int[]> words = new ArrayList<>();
        for (int[] w : initial.words()) words.add(w.clone());
        long[] counts = initial.counts();
        List<String> merges = new ArrayList<>();
        while (tokens.size() < vocabSize) {
            Map<Long, long[]> pairCounts = new TreeMap<>();
            long[] symbolCounts = new long[tokens.size()];
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                for (int i = 0; i < s.length; i++) {
                    symbolCounts[s[i]] += counts[w];
                    if (i + 1 < s.length)
                        pairCounts.computeIfAbsent(((long) s[i] << 32) | s[i + 1], k -> new long[1])[0] += counts[w];
                }
            }
            long best = -1;
            double bestScore = -1;
            for (Map.Entry<Long, long[]> e :
                    pairCounts.entrySet()) { // ascending (left, right): the first best wins ties
                long c = e.getValue()[0];
                if (c < Math.max(1, minFrequency)) continue;
                int a = (int) (e.getKey() >>> 32), b = (int) (long) e.getKey();
                double score =
                        scoring == Scoring.frequency ? c : c / ((double) symbolCounts[a] * (double) symbolCounts[b]);
                if (score > bestScore) {
                    bestScore = score;
                    best = e.getKey();
                }
            }
            if (best < 0) break;
            int a = (int) (best >>> 32), b = (int) best;
            String right = tokens.get(b).startsWith(prefix) ? tokens.get(b).substring(prefix.length()) : tokens.get(b);
            String merged = tokens.get(a) + right;
            int c = tokens.indexOf(merged);
            if (c < 0) {
                c = tokens.size();
                tokens.add(merged);
            }
            merges.add(tokens.get(a) + " " + tokens.get(b));
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                int[] out = new int[s.length];
                int j = 0;
                for (int i = 0; i < s.length; i++) {
                    if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                        out[j++] = c;
                        i++;
                    } else {
                        out[j++] = s[i];
                    }
                }
                words.set(w, java.util.Arrays.copyOf(out, j));
            }
        }
        return merges;
    }

    private static List<String> incrementalMerges(
            InitialVocabulary initial, String prefix, Scoring scoring, int vocabSize, long minFrequency) {
        int[][] words = new int[initial.words().length][];
        for (int w = 0; w < words.length; w++) words[w] = initial.words()[w].clone();
        MergeTrainer.Result result = new MergeTrainer(
                        initial.tokens(), words, initial.counts(), prefix, scoring, vocabSize, minFrequency)
                .train();
        List<String> merges = new ArrayList<>();
        for (String[] m : result.merges()) merges.add(m[0] + " " + m[1]);
        assertEquals(result.tokens().size(), Math.min(vocabSize, result.tokens().size()));
        return merges;
    }

    @Test
    void wordPieceFrequencyEqualsTheTextbookLoop() throws IOException {
        InitialVocabulary initial =
                InitialVocabulary.wordPiece(WordCounts.of(wordCounts(WordSplitter.bert(true), 60)), 1000);
        List<String> expected = bruteForceMerges(
                initial, "##", Scoring.frequency, initial.tokens().size() + 300, 2);
        assertEquals(300, expected.size());
        assertEquals(
                expected,
                incrementalMerges(
                        initial, "##", Scoring.frequency, initial.tokens().size() + 300, 2));
    }

    @Test
    void wordPieceLikelihoodEqualsTheTextbookLoop() throws IOException {
        InitialVocabulary initial =
                InitialVocabulary.wordPiece(WordCounts.of(wordCounts(WordSplitter.bert(true), 60)), 1000);
        List<String> expected = bruteForceMerges(
                initial, "##", Scoring.likelihood, initial.tokens().size() + 300, 3);
        assertEquals(
                expected,
                incrementalMerges(
                        initial, "##", Scoring.likelihood, initial.tokens().size() + 300, 3));
        List<String> byFrequency = bruteForceMerges(
                initial, "##", Scoring.frequency, initial.tokens().size() + 300, 3);
        assertTrue(!expected.equals(byFrequency), "the two scorings choose different merges");
    }

    @Test
    void byteLevelEqualsTheTextbookLoopUntilPairsRunOut() throws IOException {
        InitialVocabulary initial =
                InitialVocabulary.byteLevel(WordCounts.of(wordCounts(WordSplitter.byteLevel(false), 10)));
        assertEquals(261, initial.tokens().size());
        // min frequency 1 and a vocabulary larger than the merges available: the loop ends when no pair is left
        List<String> expected = bruteForceMerges(initial, "", Scoring.frequency, 100_000, 1);
        assertEquals(expected, incrementalMerges(initial, "", Scoring.frequency, 100_000, 1));
        assertTrue(expected.size() > 300, "merges: " + expected.size());
    }
}
