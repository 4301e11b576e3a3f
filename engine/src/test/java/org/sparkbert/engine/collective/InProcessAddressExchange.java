package org.sparkbert.engine.collective;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Address exchange among threads of one JVM on the loopback address: ranks as threads, for tests
 * and for trying the ring without a cluster. Each {@link #rank(int)} view takes part in rounds of
 * all-gather; a round completes when every rank has published.
 */
public final class InProcessAddressExchange {
    private static final String LOOPBACK = "127.0.0.1";

    private final int size;
    private final Duration timeout;
    private PeerAddress[] round;
    private int arrived;
    private long completedRounds;
    private List<PeerAddress> lastResult;

    public InProcessAddressExchange(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("a ring needs at least one rank, got " + size);
        }
        this.size = size;
        this.timeout = timeout;
        this.round = new PeerAddress[size];
    }

    /** The exchange as rank {@code rank} sees it. */
    public AddressExchange rank(int rank) {
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is not in a ring of " + size);
        }
        return new AddressExchange() {
            @Override
            public int rank() {
                return rank;
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public String advertisedHost() {
                return LOOPBACK;
            }

            @Override
            public List<PeerAddress> allGather(PeerAddress mine) throws IOException {
                return gather(rank, mine);
            }
        };
    }

    private synchronized List<PeerAddress> gather(int rank, PeerAddress mine) throws IOException {
        if (round[rank] != null) {
            throw new IllegalStateException("rank " + rank + " published twice in one round");
        }
        round[rank] = mine;
        arrived++;
        long myRound = completedRounds;
        if (arrived == size) {
            lastResult = List.of(round);
            round = new PeerAddress[size];
            arrived = 0;
            completedRounds++;
            notifyAll();
            return lastResult;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (completedRounds == myRound) {
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMillis <= 0) {
                    throw new IOException("ranks " + missingRanks() + " did not publish an address within "
                            + timeout.toMillis() + " ms");
                }
                wait(leftMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the other ranks' addresses");
        }
        return lastResult;
    }

    private String missingRanks() {
        int[] missing = new int[size - arrived];
        int n = 0;
        for (int r = 0; r < size; r++) {
            if (round[r] == null) {
                missing[n++] = r;
            }
        }
        return Arrays.toString(missing);
    }
}
