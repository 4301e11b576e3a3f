package org.sparkbert.ingest.dedup;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * MinHash signatures with {@code k} hash functions {@code h_i(s) = a_i * s + b_i (mod 2^64)}, with
 * seeded random {@code a_i} (odd, so each is a permutation of the 64-bit values) and {@code b_i},
 * applied to the shingle hashes (already well mixed): one multiply-add per shingle and function, where
 * a full 64-bit mixer per pair cost three times as much for estimates as good (MinHashTest), cut into {@code b} bands of {@code r} rows for locality-sensitive hashing: two
 * documents become candidates when all rows of some band agree, which happens with probability
 * {@code 1 - (1 - J^r)^b} for Jaccard similarity {@code J}.
 */
public final class MinHasher implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] multipliers;
    private final long[] addends;
    private final int bands;
    private final int rows;

    public MinHasher(int permutations, int bands, int rows, long seed) {
        if (bands * rows > permutations) {
            throw new IllegalArgumentException(
                    bands + " bands of " + rows + " rows need more than " + permutations + " permutations");
        }
        SplittableRandom random = new SplittableRandom(seed);
        this.multipliers = new long[permutations];
        this.addends = new long[permutations];
        for (int i = 0; i < permutations; i++) {
            multipliers[i] = random.nextLong() | 1L;
            addends[i] = random.nextLong();
        }
        this.bands = bands;
        this.rows = rows;
    }

    public long[] signature(long[] shingles) {
        long[] a = multipliers;
        long[] b = addends;
        long[] sig = new long[a.length];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        for (long s : shingles) {
            for (int i = 0; i < a.length; i++) {
                sig[i] = Math.min(sig[i], a[i] * s + b[i]);
            }
        }
        return sig;
    }

    /** The hash of each band's rows; equal band hashes make two documents candidates. */
    public long[] bandHashes(long[] signature) {
        long[] out = new long[bands];
        for (int band = 0; band < bands; band++) {
            long h = band;
            for (int row = band * rows; row < (band + 1) * rows; row++) {
                h = Hashes.mix64(h ^ signature[row]) + row;
            }
            out[band] = h;
        }
        return out;
    }

    /** The fraction of agreeing signature positions: the MinHash estimate of the Jaccard similarity. */
    public static double estimate(long[] a, long[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                same++;
            }
        }
        return (double) same / a.length;
    }
}
