package org.sparkbert.engine.collective;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One TCP connection to a named peer, read and written with a timeout. The channel is non-blocking
 * and waits in its own selector, because a blocking SocketChannel ignores SO_TIMEOUT: with a
 * selector a silent peer becomes a {@link PeerTimeoutException} instead of a hang, and {@link
 * #close()} from another thread wakes a waiting reader or writer at once.
 */
final class Link implements Closeable {
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final long timeoutMillis;
    private volatile int peerRank;
    private final String peerAddress;
    /** System.nanoTime() by which the current phase must end, or 0 for none; see {@link #deadline}. */
    private volatile long deadlineNanos;

    private volatile String deadlinePhase;

    Link(SocketChannel channel, int peerRank, long timeoutMillis) throws IOException {
        this.peerAddress = remoteAddressOf(channel);
        this.channel = channel;
        this.peerRank = peerRank;
        this.timeoutMillis = timeoutMillis;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
    }

    static String remoteAddressOf(SocketChannel channel) {
        try {
            return addressText(channel.getRemoteAddress());
        } catch (IOException e) {
            return "an unknown address";
        }
    }

    static String addressText(SocketAddress address) {
        String text = String.valueOf(address);
        // InetSocketAddress prints "host/ip:port" or "/ip:port"; the ip:port part is what a reader needs.
        int slash = text.indexOf('/');
        return slash >= 0 ? text.substring(slash + 1) : text;
    }

    int peerRank() {
        return peerRank;
    }

    String peerAddress() {
        return peerAddress;
    }

    /** Records the rank an accepted connection turned out to be, once it has said so. */
    void identify(int rank) {
        this.peerRank = rank;
    }

    /**
     * Bounds every wait from now on by {@code nanoTime} as well as by the per-wait timeout, so that a
     * peer trickling bytes cannot stretch the handshake without end; {@code deadline} names the bound
     * in messages. 0 lifts it.
     */
    void deadline(long nanoTime, String deadline) {
        this.deadlineNanos = nanoTime;
        this.deadlinePhase = deadline;
    }

    void readFully(ByteBuffer dst, String during) throws IOException {
        while (dst.hasRemaining()) {
            readSome(dst, during);
        }
    }

    /** Reads what has arrived into {@code dst}, which must have room, waiting only if nothing has. */
    void readSome(ByteBuffer dst, String during) throws IOException {
        try {
            while (true) {
                int n = channel.read(dst);
                if (n < 0) {
                    throw failure("closed the connection " + during, null);
                }
                if (n > 0) {
                    return;
                }
                await(SelectionKey.OP_READ, during);
            }
        } catch (PeerException | InterruptedIOException e) {
            throw e;
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            throw failure("broke the connection " + during + ": " + e, e);
        }
    }

    void writeFully(ByteBuffer src, String during) throws IOException {
        try {
            while (src.hasRemaining()) {
                if (channel.write(src) == 0) {
                    await(SelectionKey.OP_WRITE, during);
                }
            }
        } catch (PeerException | InterruptedIOException e) {
            throw e;
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            throw failure("broke the connection " + during + ": " + e, e);
        }
    }

    private void await(int operation, String during) throws IOException {
        key.interestOps(operation);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long overall = deadlineNanos;
        boolean overallFirst = overall != 0 && overall - deadline < 0;
        if (overallFirst) {
            deadline = overall;
        }
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0 && overallFirst) {
                throw new PeerTimeoutException(
                        peerRank, peerAddress, "did not finish authenticating before " + deadlinePhase + " " + during);
            }
            if (left <= 0) {
                String what = operation == SelectionKey.OP_READ ? "sent nothing" : "accepted no data";
                throw new PeerTimeoutException(peerRank, peerAddress, what + " for " + timeoutMillis + " ms " + during);
            }
            int updated = selector.select(left);
            selector.selectedKeys().clear();
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for "
                        + PeerException.describe(peerRank, peerAddress) + " " + during);
            }
            if (!channel.isOpen()) {
                throw failure("link was closed " + during, null);
            }
            // readyOps keeps its last value when the key was not selected this time, so look only if it was.
            if (updated > 0 && (key.readyOps() & operation) != 0) {
                return;
            }
        }
    }

    private PeerException failure(String problem, Throwable cause) {
        return new PeerException(peerRank, peerAddress, problem, cause);
    }

    /** Closes the connection; safe from any thread and more than once. */
    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // Closing is best effort; the channel below is what frees the peer.
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Already broken: nothing more to release.
        }
    }
}
