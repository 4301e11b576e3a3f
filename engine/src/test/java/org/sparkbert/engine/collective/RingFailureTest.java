package org.sparkbert.engine.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RingFailureTest {

    @Test
    void aPeerThatStopsCallingMakesTheOthersTimeOutNamingIt() throws Exception {
        RingConfig config = RingConfig.defaults().withTimeout(Duration.ofMillis(1500));
        try (ThreadRanks ranks = ThreadRanks.connect(3, JobSecret.generate(), config)) {
            List<Object> outcomes = ranks.outcomes((rank, ring) -> {
                if (rank == 2) {
                    return "rank 2 skipped the call";
                }
                ring.allReduce(new float[10_000]);
                return "rank " + rank + " finished without rank 2";
            });
            // Rank 0 waits on rank 2, its left neighbour, directly; rank 1 waits on rank 0.
            PeerTimeoutException onRank0 = assertInstanceOf(PeerTimeoutException.class, outcomes.get(0));
            assertEquals(2, onRank0.peerRank());
            PeerAddress rank2 = ranks.published.get(2);
            assertTrue(onRank0.getMessage().startsWith("rank 2 at 127.0.0.1:"), onRank0.getMessage());
            assertTrue(onRank0.getMessage().contains("1500 ms"), onRank0.getMessage());
            assertEquals("127.0.0.1", rank2.host());
            PeerException onRank1 = assertInstanceOf(PeerException.class, outcomes.get(1));
            assertEquals(0, onRank1.peerRank());
        }
    }

    @Test
    void aPeerThatDiesMidCallMakesTheOthersFailLongBeforeTheTimeout() throws Exception {
        // A two-minute timeout: a failure within ThreadRanks.HANG can only come from noticing the loss.
        RingConfig config =
                RingConfig.defaults().withTimeout(Duration.ofMinutes(2)).withSubChunkBytes(64 << 10);
        try (ThreadRanks ranks = ThreadRanks.connect(4, JobSecret.generate(), config)) {
            CountDownLatch rank3Started = new CountDownLatch(1);
            Thread killer = new Thread(() -> {
                try {
                    rank3Started.await();
                    ranks.rings.get(3).close(); // what the peers see of a crashed process: the sockets close
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.start();
            List<Object> outcomes = ranks.outcomes((rank, ring) -> {
                float[] buf = new float[2_000_000];
                for (int call = 1; call <= 10_000; call++) {
                    if (rank == 3 && call == 3) {
                        rank3Started.countDown();
                    }
                    ring.allReduce(buf);
                }
                return "rank " + rank + " never noticed";
            });
            killer.join(TimeUnit.SECONDS.toMillis(10));
            for (int rank = 0; rank < 3; rank++) {
                PeerException failure = assertInstanceOf(PeerException.class, outcomes.get(rank), "rank " + rank);
                assertTrue(failure.getMessage().matches("rank \\d at 127\\.0\\.0\\.1:\\d+ .*"), failure.getMessage());
            }
            // Rank 3 itself was closed during a call or between two.
            Exception onRank3 = assertInstanceOf(Exception.class, outcomes.get(3));
            assertTrue(
                    onRank3 instanceof IOException
                            ? onRank3.getMessage().contains("closed by this rank")
                            : onRank3 instanceof IllegalStateException
                                    && onRank3.getMessage().contains("CLOSED"),
                    onRank3.toString());
        }
    }

    @Test
    void closingARankAtAnyMomentNeverStrandsItsOwnCall() throws Exception {
        // close() may land before, during or after the sender thread takes up the call; none may hang.
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        RingConfig config = RingConfig.defaults().withTimeout(Duration.ofMinutes(2));
        for (int round = 0; round < 40; round++) {
            try (ThreadRanks ranks = ThreadRanks.connect(2, JobSecret.generate(), config)) {
                long delayNanos = random.nextLong(3_000_000);
                Thread closer = new Thread(() -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);
                    ranks.rings.get(1).close();
                });
                closer.start();
                List<Object> outcomes = ranks.outcomes((rank, ring) -> {
                    float[] buf = new float[20_000];
                    for (int call = 1; call <= 1_000_000; call++) {
                        ring.allReduce(buf);
                    }
                    return "rank " + rank + " never noticed";
                });
                closer.join();
                for (int rank = 0; rank < 2; rank++) {
                    assertInstanceOf(Exception.class, outcomes.get(rank), "round " + round + " rank " + rank);
                }
            }
        }
    }
}
