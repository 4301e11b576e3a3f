package org.sparkbert.ingest.dedup;

import java.util.Arrays;

/**
 * The shingles of a document for near-duplicate detection: the lower-cased runs of word characters
 * (letters, digits, underscore, as text-dedup's {@code \W} split), taken {@code n} consecutive at a
 * time, each shingle hashed to 64 bits. A document with fewer than {@code n} words is one shingle.
 * Returned as a sorted set (no repeats): the set whose Jaccard similarity MinHash estimates.
 */
public final class Shingles {
    private Shingles() {}

    public static long[] of(String text, int n) {
        long[] tokens = tokenHashes(text);
        if (tokens.length == 0) {
            return new long[0];
        }
        int count = Math.max(1, tokens.length - n + 1);
        long[] shingles = new long[count];
        for (int i = 0; i < count; i++) {
            long h = 0x9E3779B97F4A7C15L;
            for (int j = i; j < Math.min(tokens.length, i + n); j++) {
                h = Hashes.mix64(h ^ tokens[j]) + j - i;
            }
            shingles[i] = h;
        }
        Arrays.sort(shingles);
        return distinct(shingles);
    }

    /** |A ∩ B| / |A ∪ B| of two sorted distinct sets. */
    public static double jaccard(long[] a, long[] b) {
        if (a.length == 0 && b.length == 0) {
            return 1.0;
        }
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                common++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return (double) common / (a.length + b.length - common);
    }

    private static long[] tokenHashes(String text) {
        long[] out = new long[16];
        int count = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && !isWordChar(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            long h = 0xcbf29ce484222325L;
            while (i < n && isWordChar(text.charAt(i))) {
                h = (h ^ Character.toLowerCase(text.charAt(i))) * 0x100000001b3L;
                i++;
            }
            if (count == out.length) {
                out = Arrays.copyOf(out, count * 2);
            }
            out[count++] = Hashes.mix64(h);
        }
        return Arrays.copyOf(out, count);
    }

    private static boolean isWordChar(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private static long[] distinct(long[] sorted) {
        int k = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[k++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, k);
    }
}
