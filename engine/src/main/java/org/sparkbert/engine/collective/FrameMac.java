package org.sparkbert.engine.collective;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link FrameIntegrity#HMAC_SHA256}: HMAC-SHA256 under the connection's session key over the
 * sequence number and the frame's bytes, truncated to {@link #TAG_BYTES}. HMAC-SHA256 because the
 * JDK computes it with the CPU's SHA instructions from the first call, where GMAC stays slow until
 * C2 compiles it (docs/BENCHMARKS.md, All-reduce).
 */
final class FrameMac extends FrameCheck {
    static final int TAG_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;
    private final ByteBuffer sequenceBytes = ByteBuffer.allocate(Long.BYTES);

    FrameMac(byte[] sessionKey) {
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(sessionKey, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
        }
    }

    @Override
    int tagBytes() {
        return TAG_BYTES;
    }

    @Override
    void tag(long sequence, byte[] bytes, int offset, int length, byte[] into) {
        try {
            mac.update(sequenceBytes.putLong(0, sequence).array());
            mac.update(bytes, offset, length);
            mac.doFinal(into, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("a 32-byte buffer holds an HMAC-SHA256", e);
        }
    }
}
