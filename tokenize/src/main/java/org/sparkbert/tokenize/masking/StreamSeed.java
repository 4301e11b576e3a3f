package org.sparkbert.tokenize.masking;

import java.util.SplittableRandom;

/**
 * Seeds of random streams derived from the coordinates of what they decide (seed, epoch, instance id;
 * seed, document, duplicate), so that a stream is a pure function of those coordinates: any executor
 * draws the same numbers, a replayed epoch draws them again, and no state travels between tasks.
 * Each part is folded in with SplitMix64's finaliser, which makes nearby coordinates (epoch 3 and 4)
 * give unrelated streams.
 */
public final class StreamSeed {
    private StreamSeed() {}

    /** A seed that depends on every part and on their order. */
    public static long of(long... parts) {
        long h = 0x6A09E667F3BCC909L;
        for (long part : parts) {
            h = mix64(h + 0x9E3779B97F4A7C15L + mix64(part));
        }
        return h;
    }

    /** A 64-bit hash of a string (a document id), independent of the JVM's String.hashCode. */
    public static long ofString(String s) {
        long h = 0xBB67AE8584CAA73BL;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001B3L;
        }
        return mix64(h ^ s.length());
    }

    public static SplittableRandom random(long... parts) {
        return new SplittableRandom(of(parts));
    }

    /** SplitMix64's output function (Steele, Lea and Flood, 2014). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
