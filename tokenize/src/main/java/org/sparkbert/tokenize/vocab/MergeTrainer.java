package org.sparkbert.tokenize.vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparkbert.tokenize.IdList;
import org.sparkbert.tokenize.PairTable;

/**
 * The merge loop of BPE and WordPiece training, run on the driver over the counted words, as
 * Hugging Face's {@code BpeTrainer} does it: count every adjacent pair once, keep the candidates in
 * a {@link PairHeap}, and after each merge update only the pairs of the words that held the merged
 * pair (by ± the word's count), never rescanning all words.
 *
 * <p>Counts are {@code long} (Hugging Face's i32 overflows on large corpora, tokenizers#437). With
 * {@link Scoring#likelihood} a merge also changes the score of every pair that shares a symbol with
 * it, so those pairs are pushed again as well.
 */
final class MergeTrainer {
    private static final int NONE = -1;

    /** The trained vocabulary: tokens in id order and the merges in rank order. */
    record Result(List<String> tokens, List<String[]> merges) {}

    private final List<String> tokens;
    private final Map<String, Integer> tokenIds = new HashMap<>();
    private final String continuationPrefix;
    private final Scoring scoring;
    private final int vocabSize;
    private final long minFrequency;

    private final int[][] words;
    private final int[] lengths;
    private final long[] wordCounts;

    private final PairTable pairIndex = new PairTable(1 << 16);
    private int pairCount;
    private int[] left = new int[1 << 16];
    private int[] right = new int[1 << 16];
    private long[] count = new long[1 << 16];
    private int[] version = new int[1 << 16];
    private int[] touchedAt = new int[1 << 16];
    private IdList[] wordsOf = new IdList[1 << 16];

    private long[] symbolCount;
    private IdList[] pairsOf;

    private final PairHeap heap = new PairHeap();
    private final PairTable merged = new PairTable(1024);
    private final List<String[]> merges = new ArrayList<>();
    private final IdList touched = new IdList();
    private int step;

    /**
     * @param initialTokens special tokens, then the alphabet (and its continuation forms), in id order
     * @param words each word as initial token ids; the arrays are merged in place
     * @param continuationPrefix {@code ##} for WordPiece (stripped from the right part of a merge), else empty
     */
    MergeTrainer(
            List<String> initialTokens,
            int[][] words,
            long[] wordCounts,
            String continuationPrefix,
            Scoring scoring,
            int vocabSize,
            long minFrequency) {
        this.tokens = new ArrayList<>(initialTokens);
        for (int id = 0; id < tokens.size(); id++) tokenIds.put(tokens.get(id), id);
        this.words = words;
        this.lengths = new int[words.length];
        for (int w = 0; w < words.length; w++) lengths[w] = words[w].length;
        this.wordCounts = wordCounts;
        this.continuationPrefix = continuationPrefix;
        this.scoring = scoring;
        this.vocabSize = vocabSize;
        this.minFrequency = Math.max(1, minFrequency);
        this.symbolCount = new long[Math.max(16, vocabSize + 1)];
    }

    Result train() {
        countPairs();
        for (int p = 0; p < pairCount; p++) push(p);
        while (tokens.size() < vocabSize) {
            int best = popBest();
            if (best == NONE) break;
            mergePair(best);
        }
        return new Result(tokens, merges);
    }

    /** The one full pass: every adjacent pair of every word, weighted by the word's count. */
    private void countPairs() {
        if (scoring == Scoring.likelihood) pairsOf = new IdList[symbolCount.length];
        for (int w = 0; w < words.length; w++) {
            int[] s = words[w];
            long c = wordCounts[w];
            for (int i = 0; i < s.length; i++) {
                symbolCount[s[i]] += c;
                if (i + 1 < s.length) addToPair(s[i], s[i + 1], c, w);
            }
        }
    }

    private int popBest() {
        while (!heap.isEmpty()) {
            int p = heap.pop();
            if (heap.poppedVersion() == version[p] && count[p] >= minFrequency) return p;
        }
        return NONE;
    }

    private void mergePair(int p) {
        int a = left[p], b = right[p];
        String rightPart = tokens.get(b);
        if (!continuationPrefix.isEmpty() && rightPart.startsWith(continuationPrefix)) {
            rightPart = rightPart.substring(continuationPrefix.length());
        }
        String newToken = tokens.get(a) + rightPart;
        Integer existing = tokenIds.get(newToken);
        int c = existing != null ? existing : addToken(newToken);
        if (merged.get(a, b, -1L) < 0) {
            merged.put(a, b, c);
            merges.add(new String[] {tokens.get(a), tokens.get(b)});
        }
        step++;
        touched.clear();
        IdList holders = wordsOf[p];
        wordsOf[p] = null;
        if (holders == null) return;
        for (int k = 0; k < holders.size(); k++) mergeInWord(holders.get(k), a, b, c);
        for (int k = 0; k < touched.size(); k++) push(touched.get(k));
        if (scoring == Scoring.likelihood) {
            repushPairsOf(a);
            repushPairsOf(b);
        }
    }

    /** Replaces every (a, b) in a word by c, moving pair counts by the word's count as it goes. */
    private void mergeInWord(int w, int a, int b, int c) {
        int[] s = words[w];
        int n = lengths[w];
        long cnt = wordCounts[w];
        int j = 0;
        int i = 0;
        boolean changed = false;
        while (i < n) {
            if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                changed = true;
                addToPair(a, b, -cnt, w);
                if (j > 0) {
                    addToPair(s[j - 1], a, -cnt, w);
                    addToPair(s[j - 1], c, cnt, w);
                }
                if (i + 2 < n) {
                    addToPair(b, s[i + 2], -cnt, w);
                    addToPair(c, s[i + 2], cnt, w);
                }
                symbolCount[a] -= cnt;
                symbolCount[b] -= cnt;
                symbolCount[c] += cnt;
                s[j++] = c;
                i += 2;
            } else {
                s[j++] = s[i++];
            }
        }
        if (changed) lengths[w] = j;
    }

    private void addToPair(int a, int b, long delta, int word) {
        int p = pairOf(a, b);
        count[p] += delta;
        if (delta > 0) {
            IdList holders = wordsOf[p];
            if (holders == null) wordsOf[p] = holders = new IdList(4);
            if (holders.size() == 0 || holders.get(holders.size() - 1) != word) holders.add(word);
        }
        if (touchedAt[p] != step) {
            touchedAt[p] = step;
            touched.add(p);
        }
    }

    private int pairOf(int a, int b) {
        long found = pairIndex.get(a, b, -1L);
        if (found >= 0) return (int) found;
        int p = pairCount++;
        if (p == left.length) growPairs();
        left[p] = a;
        right[p] = b;
        touchedAt[p] = -1;
        pairIndex.put(a, b, p);
        if (pairsOf != null) {
            pairOfSymbol(a).add(p);
            if (b != a) pairOfSymbol(b).add(p);
        }
        return p;
    }

    private IdList pairOfSymbol(int symbol) {
        if (symbol >= pairsOf.length) pairsOf = Arrays.copyOf(pairsOf, Math.max(symbol + 1, pairsOf.length * 2));
        if (pairsOf[symbol] == null) pairsOf[symbol] = new IdList(8);
        return pairsOf[symbol];
    }

    private void repushPairsOf(int symbol) {
        IdList pairs = symbol < pairsOf.length ? pairsOf[symbol] : null;
        if (pairs == null) return;
        for (int k = 0; k < pairs.size(); k++) {
            int p = pairs.get(k);
            if (touchedAt[p] != step && count[p] >= minFrequency) push(p);
        }
    }

    private void push(int p) {
        version[p]++;
        if (count[p] < minFrequency) return;
        heap.push(score(p), PairTable.key(left[p], right[p]), p, version[p]);
    }

    private double score(int p) {
        if (scoring == Scoring.frequency) return count[p];
        return count[p] / ((double) symbolCount[left[p]] * (double) symbolCount[right[p]]);
    }

    private int addToken(String token) {
        int id = tokens.size();
        tokens.add(token);
        tokenIds.put(token, id);
        if (id >= symbolCount.length) symbolCount = Arrays.copyOf(symbolCount, id * 2);
        return id;
    }

    private void growPairs() {
        int capacity = left.length * 2;
        left = Arrays.copyOf(left, capacity);
        right = Arrays.copyOf(right, capacity);
        count = Arrays.copyOf(count, capacity);
        version = Arrays.copyOf(version, capacity);
        touchedAt = Arrays.copyOf(touchedAt, capacity);
        wordsOf = Arrays.copyOf(wordsOf, capacity);
    }
}
