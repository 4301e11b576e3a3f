package org.sparkbert.engine.collective;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How each frame on a ring connection is checked. Both kinds cover the frame's sequence number on
 * its connection and a value from the connection's handshake, so a frame that is dropped, replayed,
 * reordered or carried over from another connection fails as surely as a corrupted one.
 *
 * <ul>
 *   <li>{@link #CRC32C}: a 4-byte CRC-32C (hardware-accelerated): catches every flipped bit and
 *       every burst of up to 32 bits in a frame, the faults of a broken NIC, cable or switch, but not
 *       a forger, who can recompute it (CRC is linear and unkeyed in effect).
 *   <li>{@link #HMAC_SHA256}: a 16-byte HMAC-SHA256 under the connection's session key: also resists
 *       a hostile network that alters frames on purpose. About 4x the ring's CPU on this machine
 *       (docs/BENCHMARKS.md, All-reduce).
 * </ul>
 */
public enum FrameIntegrity {
    CRC32C("crc32c", FrameChecksum.TAG_BYTES),
    HMAC_SHA256("hmac-sha256", FrameMac.TAG_BYTES);

    private final String label;
    private final int tagBytes;

    FrameIntegrity(String label, int tagBytes) {
        this.label = label;
        this.tagBytes = tagBytes;
    }

    /** The name a setting uses: {@code crc32c} or {@code hmac-sha256}. */
    public String label() {
        return label;
    }

    int tagBytes() {
        return tagBytes;
    }

    /** The check of one direction of a connection whose handshake agreed on {@code sessionKey}. */
    FrameCheck open(byte[] sessionKey) {
        return this == CRC32C ? new FrameChecksum(sessionKey) : new FrameMac(sessionKey);
    }

    /** Parses a label, naming the allowed ones if {@code text} is none of them. */
    public static FrameIntegrity parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (FrameIntegrity integrity : values()) {
            if (integrity.label.equals(wanted)) {
                return integrity;
            }
        }
        throw new IllegalArgumentException("unknown frame integrity '" + text + "': use one of "
                + Arrays.stream(values()).map(FrameIntegrity::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
