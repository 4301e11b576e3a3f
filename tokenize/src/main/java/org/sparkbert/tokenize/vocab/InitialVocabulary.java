package org.sparkbert.tokenize.vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.ByteLevel;
import org.sparkbert.tokenize.VocabularyFiles;
import org.sparkbert.tokenize.WordPieceTokenizer;

/**
 * What the merge loop starts from: the special tokens, then the alphabet sorted by code point (as
 * Hugging Face's trainer orders it), then for WordPiece the {@code ##} form of every character seen
 * inside a word; and every word spelt in those tokens.
 *
 * <p>WordPiece keeps the {@code limitAlphabet} most frequent characters; a word holding any other
 * character cannot be spelt, is left out of training (it encodes to {@code [UNK]}) and is counted.
 * Byte-level BPE always has exactly the 256 byte symbols.
 */
record InitialVocabulary(
        List<String> tokens, int[][] words, long[] counts, long wordsOutsideAlphabet, int alphabetSize) {

    static InitialVocabulary wordPiece(WordCounts counts, int limitAlphabet) {
        int[] alphabet = mostFrequentCharacters(counts, limitAlphabet);
        List<String> tokens = new ArrayList<>(VocabularyFiles.WORDPIECE_SPECIALS);
        Map<Integer, Integer> initialId = new HashMap<>();
        for (int cp : alphabet) {
            initialId.put(cp, tokens.size());
            tokens.add(new String(Character.toChars(cp)));
        }
        List<int[]> spelt = new ArrayList<>();
        List<Long> keptCounts = new ArrayList<>();
        TreeSet<Integer> inner = new TreeSet<>();
        long outside = 0;
        for (int w = 0; w < counts.words().length; w++) {
            int[] cps = counts.words()[w].codePoints().toArray();
            boolean covered = true;
            for (int cp : cps) covered &= initialId.containsKey(cp);
            if (!covered) {
                outside++;
                continue;
            }
            for (int i = 1; i < cps.length; i++) inner.add(cps[i]);
            spelt.add(cps);
            keptCounts.add(counts.counts()[w]);
        }
        Map<Integer, Integer> continuationId = new HashMap<>();
        for (int cp : inner) {
            continuationId.put(cp, tokens.size());
            tokens.add(WordPieceTokenizer.CONTINUATION + new String(Character.toChars(cp)));
        }
        int[][] words = new int[spelt.size()][];
        for (int w = 0; w < words.length; w++) {
            int[] cps = spelt.get(w);
            int[] ids = new int[cps.length];
            for (int i = 0; i < cps.length; i++) ids[i] = (i == 0 ? initialId : continuationId).get(cps[i]);
            words[w] = ids;
        }
        return new InitialVocabulary(
                tokens, words, keptCounts.stream().mapToLong(Long::longValue).toArray(), outside, alphabet.length);
    }

    static InitialVocabulary byteLevel(WordCounts counts) {
        List<String> tokens = new ArrayList<>(VocabularyFiles.BPE_SPECIALS);
        char[] symbols = new char[256];
        for (int b = 0; b < 256; b++) symbols[b] = ByteLevel.charOf(b);
        Arrays.sort(symbols);
        int[] idOfByte = new int[256];
        for (char symbol : symbols) {
            idOfByte[ByteLevel.byteOf(symbol)] = tokens.size();
            tokens.add(String.valueOf(symbol));
        }
        int[][] words = new int[counts.words().length][];
        for (int w = 0; w < words.length; w++) {
            String word = counts.words()[w];
            int[] ids = new int[word.length()];
            for (int i = 0; i < ids.length; i++) {
                int b = ByteLevel.byteOf(word.charAt(i));
                if (b < 0) throw new IllegalStateException("not a byte-level word: " + word);
                ids[i] = idOfByte[b];
            }
            words[w] = ids;
        }
        return new InitialVocabulary(tokens, words, counts.counts(), 0, 256);
    }

    /** Refuses a vocabulary size that cannot hold even the starting tokens. */
    void requireRoomIn(int vocabSize) {
        if (vocabSize < tokens.size()) {
            throw new UsageException("--vocab-size " + vocabSize + " is below the alphabet: the special tokens, "
                    + alphabetSize + " characters and their continuation forms already make " + tokens.size()
                    + " tokens. Raise --vocab-size" + (alphabetSize == 256 ? "." : " or lower --limit-alphabet."));
        }
    }

    /** The code points to keep, sorted: the most frequent first (ties by code point), then by code point. */
    private static int[] mostFrequentCharacters(WordCounts counts, int limit) {
        Map<Integer, long[]> frequency = new HashMap<>();
        for (int w = 0; w < counts.words().length; w++) {
            long c = counts.counts()[w];
            counts.words()[w].codePoints().forEach(cp -> frequency.computeIfAbsent(cp, k -> new long[1])[0] += c);
        }
        return frequency.entrySet().stream()
                .sorted((x, y) -> x.getValue()[0] != y.getValue()[0]
                        ? Long.compare(y.getValue()[0], x.getValue()[0])
                        : Integer.compare(x.getKey(), y.getKey()))
                .limit(limit)
                .mapToInt(Map.Entry::getKey)
                .sorted()
                .toArray();
    }
}
