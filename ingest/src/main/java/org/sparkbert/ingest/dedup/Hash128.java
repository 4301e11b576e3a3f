package org.sparkbert.ingest.dedup;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A 128-bit hash or id as two longs, compared as unsigned numbers: the order of its 32 lowercase hex
 * digits, which is how the ids and MD5s the steps decide on compare as strings.
 */
record Hash128(long hi, long lo) implements Comparable<Hash128> {
    static Hash128 of(byte[] sixteen) {
        ByteBuffer b = ByteBuffer.wrap(sixteen);
        return new Hash128(b.getLong(0), b.getLong(8));
    }

    /** From 32 lowercase hex digits (an id, an MD5 in hex). */
    static Hash128 ofHex(String hex) {
        if (hex.length() != 32 || !hex.equals(hex.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalStateException("Expected 32 lowercase hex digits, not '" + hex + "'.");
        }
        return new Hash128(Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16));
    }

    String hex() {
        return HexFormat.of().toHexDigits(hi) + HexFormat.of().toHexDigits(lo);
    }

    @Override
    public int compareTo(Hash128 o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }
}
