package org.sparkbert.engine.collective;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Accepts connections on a rank's listening socket until the expected left neighbour has
 * authenticated, or the connect deadline passes. Each connection is handshaken on its own thread,
 * so a stranger that connects first (a port scanner, a task left over from an earlier attempt) and
 * then sends garbage is refused, and one that sends nothing holds only its own thread: the real
 * peer is accepted beside it. Refused strangers are not errors unless the peer never comes.
 */
final class PeerAcceptor {
    /** Handshakes in flight at once; beyond it the oldest is dropped (a stranger, most likely). */
    static final int MAX_PENDING = 8;
    /** How often the accept loop looks for a finished handshake or a closed socket. */
    private static final long POLL_MILLIS = 20;

    /** An authenticated connection and its session key. */
    record Accepted(Link link, byte[] sessionKey) {}

    private final ServerSocketChannel server;
    private final JobSecret secret;
    private final RingConfig config;
    private final int rank;
    private final int size;

    PeerAcceptor(ServerSocketChannel server, JobSecret secret, RingConfig config, int rank, int size) {
        this.server = server;
        this.secret = secret;
        this.config = config;
        this.rank = rank;
        this.size = size;
    }

    /**
     * The authenticated connection of rank {@code peer}. Throws a {@link PeerTimeoutException} (or,
     * when someone else was refused meanwhile, a {@link PeerAuthenticationException} naming it) at
     * {@code deadlineNanos}, and an IOException at once if the server socket is closed meanwhile.
     */
    Accepted accept(int peer, PeerAddress published, long deadlineNanos, String phase) throws IOException {
        LinkedBlockingQueue<Accepted> authenticated = new LinkedBlockingQueue<>();
        AtomicReference<PeerAuthenticationException> refusal = new AtomicReference<>();
        Deque<Link> pending = new ArrayDeque<>();
        ExecutorService handshakes = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "ring-handshake-rank-" + rank);
            thread.setDaemon(true);
            return thread;
        });
        Accepted winner = null;
        try (Selector selector = Selector.open()) {
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                winner = authenticated.poll();
                if (winner != null) {
                    return winner;
                }
                if (!server.isOpen()) {
                    throw stopped(refusal.get(), null);
                }
                long left = (deadlineNanos - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw noPeer(peer, published, refusal.get(), phase);
                }
                selector.select(Math.min(left, POLL_MILLIS));
                selector.selectedKeys().clear();
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while accepting rank " + peer);
                }
                for (SocketChannel channel; (channel = server.accept()) != null; ) {
                    Link link = start(channel, deadlineNanos, phase);
                    synchronized (pending) {
                        pending.addLast(link);
                        if (pending.size() > MAX_PENDING) {
                            pending.removeFirst().close();
                        }
                    }
                    handshakes.execute(() -> handshake(link, peer, authenticated, refusal, pending));
                }
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            throw stopped(refusal.get(), e);
        } finally {
            handshakes.shutdownNow();
            synchronized (pending) {
                for (Link link : pending) {
                    if (winner == null || link != winner.link()) {
                        link.close();
                    }
                }
            }
            for (Accepted late; (late = authenticated.poll()) != null; ) {
                late.link().close();
            }
        }
    }

    private Link start(SocketChannel channel, long deadlineNanos, String phase) throws IOException {
        try {
            config.applyTo(channel);
            Link link = new Link(channel, -1, config.timeoutMillis());
            link.deadline(deadlineNanos, phase);
            return link;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private void handshake(
            Link link,
            int peer,
            LinkedBlockingQueue<Accepted> authenticated,
            AtomicReference<PeerAuthenticationException> refusal,
            Deque<Link> pending) {
        try {
            byte[] key = Handshake.asAcceptor(link, secret, config, rank, peer, size);
            link.deadline(0, null);
            authenticated.add(new Accepted(link, key));
        } catch (PeerAuthenticationException e) {
            refusal.set(e);
            link.close();
        } catch (IOException | RuntimeException e) {
            // A connection that broke off or went silent before saying who it is: nobody to name.
            link.close();
        } finally {
            synchronized (pending) {
                pending.remove(link);
            }
        }
    }

    /** Connecting out failed and closed the socket; a stranger refused here meanwhile is worth reporting. */
    private static IOException stopped(PeerAuthenticationException refused, IOException cause) {
        return refused != null ? refused : new IOException("this rank stopped accepting ring connections", cause);
    }

    private PeerException noPeer(int peer, PeerAddress published, PeerAuthenticationException refusal, String phase) {
        String missing =
                "rank " + peer + " (published at " + published + ") did not connect and authenticate before " + phase;
        if (refusal != null) {
            String problem = refusal.getMessage()
                    .substring(PeerException.describe(refusal.peerRank(), refusal.peerAddress())
                                    .length()
                            + 1);
            return new PeerAuthenticationException(refusal.peerRank(), refusal.peerAddress(), problem + "; " + missing);
        }
        return new PeerTimeoutException(
                peer, published.toString(), "did not connect and authenticate to this rank before " + phase);
    }
}
