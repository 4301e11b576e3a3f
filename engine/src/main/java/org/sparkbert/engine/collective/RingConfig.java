package org.sparkbert.engine.collective;

import java.io.IOException;
import java.io.Serializable;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.time.Duration;

/**
 * Tuning of a ring; serializable, so a Spark closure can carry it to the tasks.
 *
 * @param timeout how long any blocking step (connect, accept, a read or a write) may make no
 *     progress before the peer counts as lost; it must exceed the longest wait for a slow peer to
 *     reach the same all-reduce call
 * @param subChunkBytes the pipelining unit: a rank forwards a chunk in pieces of this size, each as
 *     soon as it has arrived, so that the next rank starts while the rest is still coming. The
 *     default, 64 KiB, lets even a 4 MB buffer overlap its steps; a rank that falls behind forwards
 *     all that has arrived in one write (docs/BENCHMARKS.md, All-reduce)
 *     It is also the unit each frame's check covers, so every rank must use the same
 * @param socketBufferBytes SO_SNDBUF and SO_RCVBUF, or 0 to leave the kernel's auto-tuning on
 * @param attempt the Spark stage attempt the ring belongs to; the handshake refuses a peer of
 *     another attempt, so that a task left over from a failed attempt cannot join a retry
 * @param integrity how every frame is checked ({@link FrameIntegrity}); every rank must use the
 *     same, which the handshake checks. The default, CRC-32C, catches every corruption on the wire
 *     for a fraction of HMAC-SHA256's cost; HMAC-SHA256 also resists a hostile network
 */
public record RingConfig(
        Duration timeout, int subChunkBytes, int socketBufferBytes, int attempt, FrameIntegrity integrity)
        implements Serializable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_SUB_CHUNK_BYTES = 64 << 10;
    /** CRC-32C: by measurement, HMAC-SHA256 would cost the ring about 4x its CPU (docs/BENCHMARKS.md). */
    public static final FrameIntegrity DEFAULT_INTEGRITY = FrameIntegrity.CRC32C;

    public RingConfig {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the ring timeout must be positive, got " + timeout);
        }
        if (subChunkBytes < 4 || subChunkBytes % 4 != 0) {
            throw new IllegalArgumentException(
                    "the sub-chunk size must be a positive multiple of 4 bytes, got " + subChunkBytes);
        }
        if (socketBufferBytes < 0) {
            throw new IllegalArgumentException("the socket buffer size cannot be negative");
        }
        if (attempt < 0) {
            throw new IllegalArgumentException("the stage attempt cannot be negative, got " + attempt);
        }
        java.util.Objects.requireNonNull(integrity, "integrity");
    }

    public static RingConfig defaults() {
        return new RingConfig(DEFAULT_TIMEOUT, DEFAULT_SUB_CHUNK_BYTES, 0, 0, DEFAULT_INTEGRITY);
    }

    public RingConfig withTimeout(Duration newTimeout) {
        return new RingConfig(newTimeout, subChunkBytes, socketBufferBytes, attempt, integrity);
    }

    public RingConfig withSubChunkBytes(int bytes) {
        return new RingConfig(timeout, bytes, socketBufferBytes, attempt, integrity);
    }

    public RingConfig withSocketBufferBytes(int bytes) {
        return new RingConfig(timeout, subChunkBytes, bytes, attempt, integrity);
    }

    public RingConfig withAttempt(int stageAttempt) {
        return new RingConfig(timeout, subChunkBytes, socketBufferBytes, stageAttempt, integrity);
    }

    public RingConfig withIntegrity(FrameIntegrity check) {
        return new RingConfig(timeout, subChunkBytes, socketBufferBytes, attempt, check);
    }

    int subChunkFloats() {
        return subChunkBytes / Float.BYTES;
    }

    int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    /**
     * The socket options of every ring connection (and of the plain-copy benchmark, which must use
     * the same). Buffer sizes go on before connect or bind so the TCP window scale can follow them.
     */
    public void applyTo(NetworkChannel channel) throws IOException {
        if (socketBufferBytes > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
            if (channel.supportedOptions().contains(StandardSocketOptions.SO_SNDBUF)) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
            }
        }
        if (channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
            // Pieces are large and the receiver waits on each one: Nagle would only add latency.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }
}
