package org.sparkbert.ingest.dedup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The hashes the deduplication keys on: MD5 where C4 uses it, SHA-256 for ids, a 64-bit mixer for MinHash. */
public final class Hashes {
    private Hashes() {}

    public static byte[] md5(String text) {
        return digest("MD5", text);
    }

    public static String md5Hex(String text) {
        return HexFormat.of().formatHex(md5(text));
    }

    /** A document id: the first 128 bits of SHA-256, as 32 hex digits. */
    public static String id(String namespace, String value) {
        byte[] d = digest("SHA-256", namespace + "\u0000" + value);
        return HexFormat.of().formatHex(d, 0, 16);
    }

    /** The finaliser of SplitMix64: a bijective 64-bit mix with full avalanche. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static byte[] digest(String algorithm, String text) {
        try {
            return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
