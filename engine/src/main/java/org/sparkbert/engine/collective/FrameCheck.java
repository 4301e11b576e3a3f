package org.sparkbert.engine.collective;

import java.nio.ByteBuffer;

/**
 * Tags the frames that travel one way on one ring connection and checks them on arrival. Sender and
 * receiver count frames in step and the tag covers the count, so a frame altered, dropped, replayed
 * or moved fails. One instance per direction per connection; not thread-safe.
 */
abstract class FrameCheck {
    private final byte[] computed = new byte[32];
    private long sequence;

    /** The number of the next frame, counted from 0 on this connection. */
    final long sequence() {
        return sequence;
    }

    abstract int tagBytes();

    /** Tags {@code bytes[offset, offset+length)} as the next frame and puts the tag into {@code out}. */
    final void seal(byte[] bytes, int offset, int length, ByteBuffer out) {
        tag(sequence++, bytes, offset, length, computed);
        out.put(computed, 0, tagBytes());
    }

    /**
     * Whether {@code tag[tagOffset..+tagBytes())} is the next frame's tag for these bytes. The frame
     * counts as taken either way: after a failure the connection is not used again.
     */
    final boolean verify(byte[] bytes, int offset, int length, byte[] tag, int tagOffset) {
        tag(sequence++, bytes, offset, length, computed);
        // Constant time, so that a forger learns nothing from how soon a guess is refused.
        int difference = 0;
        for (int i = 0; i < tagBytes(); i++) {
            difference |= computed[i] ^ tag[tagOffset + i];
        }
        return difference == 0;
    }

    /** Writes frame {@code sequence}'s tag of the bytes to {@code into[0..tagBytes())}. */
    abstract void tag(long sequence, byte[] bytes, int offset, int length, byte[] into);
}
