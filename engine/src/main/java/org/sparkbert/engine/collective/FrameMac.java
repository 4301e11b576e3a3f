package org.sparkbert.engine.collective;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates the frames that travel one way on one ring connection: HMAC-SHA256 under the
 * connection's session key (from its handshake) over a sequence number and the frame's bytes,
 * truncated to {@link #TAG_BYTES}. Sender and receiver count frames in step, so a frame altered,
 * dropped, replayed or moved fails. HMAC-SHA256 because the JDK computes it with the CPU's SHA
 * instructions from the first call, where GMAC stays slow until C2 compiles it (docs/BENCHMARKS.md,
 * All-reduce).
 */
final class FrameMac {
  static final int TAG_BYTES = 16;
  private static final String ALGORITHM = "HmacSHA256";

  private final Mac mac;
  private final ByteBuffer sequenceBytes = ByteBuffer.allocate(Long.BYTES);
  private final byte[] full = new byte[32];
  private long sequence;

  FrameMac(byte[] sessionKey) {
    try {
      mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(sessionKey, ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
    }
  }

  /** The number of the next frame, counted from 0 on this connection. */
  long sequence() {
    return sequence;
  }

  /** Tags {@code bytes[offset, offset+length)} as the next frame and puts the tag into {@code out}. */
  void seal(byte[] bytes, int offset, int length, ByteBuffer out) {
    compute(bytes, offset, length);
    out.put(full, 0, TAG_BYTES);
  }

  /**
   * Whether {@code tag[tagOffset..+TAG_BYTES)} is the next frame's tag for these bytes. The frame
   * counts as taken either way: after a failure the connection is not used again.
   */
  boolean verify(byte[] bytes, int offset, int length, byte[] tag, int tagOffset) {
    compute(bytes, offset, length);
    return MessageDigest.isEqual(java.util.Arrays.copyOfRange(full, 0, TAG_BYTES),
        java.util.Arrays.copyOfRange(tag, tagOffset, tagOffset + TAG_BYTES));
  }

  private void compute(byte[] bytes, int offset, int length) {
    try {
      mac.update(sequenceBytes.putLong(0, sequence++).array());
      mac.update(bytes, offset, length);
      mac.doFinal(full, 0);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException("a 32-byte buffer holds an HMAC-SHA256", e);
    }
  }
}
