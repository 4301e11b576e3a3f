package org.sparkbert.engine.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingAllReduceTest {
    private static final RingConfig SMALL_PIECES =
            RingConfig.defaults().withTimeout(Duration.ofSeconds(30)).withSubChunkBytes(64 * 4);

    @Test
    void everyRingSizeSumsExactlyForLengthsThatDoNotSplitEvenly() throws Exception {
        for (int size = 1; size <= 4; size++) {
            int[] lengths = {0, 1, size - 1, size + 1, 97, 1000, 64 * size * 3 + 5, 100_003};
            try (ThreadRanks ranks = ThreadRanks.connect(size, JobSecret.generate(), SMALL_PIECES)) {
                for (int length : lengths) {
                    assertExactSum(ranks, size, length, 11 + length);
                }
            }
        }
    }

    @Test
    void fourMillionFloatsOverFourRanksSumExactly() throws Exception {
        RingConfig config = RingConfig.defaults().withTimeout(Duration.ofSeconds(30));
        try (ThreadRanks ranks = ThreadRanks.connect(4, JobSecret.generate(), config)) {
            assertExactSum(ranks, 4, 4_194_301, 5);
        }
    }

    @Test
    void ordinaryFloatsEndBitIdenticalOnEveryRankAndCloseToTheTrueSum() throws Exception {
        int size = 3;
        int length = 300_007;
        float[][] inputs = new float[size][];
        for (int r = 0; r < size; r++) {
            inputs[r] = TestBuffers.gaussian(3, r, length);
        }
        double[] truth = TestBuffers.doubleSum(inputs);
        try (ThreadRanks ranks =
                ThreadRanks.connect(size, JobSecret.generate(), SMALL_PIECES.withSubChunkBytes(4096))) {
            List<float[]> first = ranks.onEveryRank((rank, ring) -> {
                float[] buf = inputs[rank].clone();
                ring.allReduce(buf);
                return buf;
            });
            List<float[]> again = ranks.onEveryRank((rank, ring) -> {
                float[] buf = inputs[rank].clone();
                ring.allReduce(buf);
                return buf;
            });
            for (int r = 0; r < size; r++) {
                assertArrayEquals(first.get(0), first.get(r), "rank " + r + " differs from rank 0");
                assertArrayEquals(first.get(0), again.get(r), "a second call gave other bits on rank " + r);
            }
            for (int i = 0; i < length; i++) {
                double bound =
                        4 * Math.ulp(1f) * (Math.abs(inputs[0][i]) + Math.abs(inputs[1][i]) + Math.abs(inputs[2][i]));
                assertEquals(truth[i], first.get(0)[i], bound, "element " + i);
            }
        }
    }

    @Test
    void eachChunkIsSummedInTheDocumentedOrderWhateverThePieceSize() throws Exception {
        int size = 4;
        int length = 40_003;
        float[][] inputs = new float[size][];
        for (int r = 0; r < size; r++) {
            inputs[r] = TestBuffers.gaussian(17, r, length);
        }
        // RingSchedule: chunk c is folded left from rank c: ((x[c] + x[c+1]) + x[c+2]) + x[c+3].
        float[] expected = new float[length];
        for (int c = 0; c < size; c++) {
            for (int i = (int) ((long) length * c / size); i < (long) length * (c + 1) / size; i++) {
                float sum = inputs[c][i];
                for (int k = 1; k < size; k++) {
                    sum += inputs[(c + k) % size][i];
                }
                expected[i] = sum;
            }
        }
        for (int pieceBytes : new int[] {4, 4 * 1000, 1 << 20}) {
            try (ThreadRanks ranks =
                    ThreadRanks.connect(size, JobSecret.generate(), SMALL_PIECES.withSubChunkBytes(pieceBytes))) {
                List<float[]> results = ranks.onEveryRank((rank, ring) -> {
                    float[] buf = inputs[rank].clone();
                    ring.allReduce(buf);
                    return buf;
                });
                for (int r = 0; r < size; r++) {
                    assertArrayEquals(expected, results.get(r), "rank " + r + ", pieces of " + pieceBytes + " bytes");
                }
            }
        }
    }

    @Test
    void onlyTheGivenRangeIsReducedAndEachRankSendsTwoNMinusOneOverNOfIt() throws Exception {
        int size = 4;
        int offset = 13;
        int length = 10_001;
        try (ThreadRanks ranks = ThreadRanks.connect(size, JobSecret.generate(), SMALL_PIECES)) {
            List<float[]> results = ranks.onEveryRank((rank, ring) -> {
                float[] buf = new float[offset + length + 7];
                java.util.Arrays.fill(buf, rank + 1);
                ring.allReduce(buf, offset, length);
                return buf;
            });
            long sentByAll = 0;
            for (int r = 0; r < size; r++) {
                float[] buf = results.get(r);
                for (int i = 0; i < buf.length; i++) {
                    boolean inside = i >= offset && i < offset + length;
                    assertEquals(inside ? 1 + 2 + 3 + 4 : r + 1, buf[i], "rank " + r + " element " + i);
                }
                sentByAll += ranks.rings.get(r).payloadBytesSent();
            }
            // Each of the N ranks sends 2(N-1)/N of the buffer: 2(N-1) buffers' worth in all.
            assertEquals(2L * (size - 1) * length * Float.BYTES, sentByAll);
        }
    }

    @Test
    void repeatedCallsReuseTheConnectionsMadeAtConnect() throws Exception {
        int size = 3;
        try (ThreadRanks ranks = ThreadRanks.connect(size, JobSecret.generate(), SMALL_PIECES)) {
            // Once connected, a rank stops listening: later calls can only be using the first connections.
            for (PeerAddress address : ranks.published) {
                assertThrows(
                        ConnectException.class,
                        () -> new Socket(address.host(), address.port()).close(),
                        "rank still listening at " + address);
            }
            for (int call = 0; call < 5; call++) {
                assertExactSum(ranks, size, 5_001 + call, 100 + call);
            }
        }
    }

    @Test
    void callsWithDifferentLengthsAreReportedNotSummed() throws Exception {
        try (ThreadRanks ranks = ThreadRanks.connect(2, JobSecret.generate(), SMALL_PIECES)) {
            List<Object> outcomes = ranks.outcomes((rank, ring) -> {
                ring.allReduce(new float[rank == 0 ? 100 : 101]);
                return "no error";
            });
            PeerException onRank0 = assertInstanceOf(PeerException.class, outcomes.get(0));
            PeerException onRank1 = assertInstanceOf(PeerException.class, outcomes.get(1));
            assertEquals(1, onRank0.peerRank());
            assertEquals(0, onRank1.peerRank());
            // Whichever rank reads the other's header first reports the mismatch and breaks the ring; the
            // other may then see only the closed connection.
            assertTrue(
                    onRank0.getMessage().contains("101 floats")
                            || onRank1.getMessage().contains("100 floats"),
                    onRank0.getMessage() + " / " + onRank1.getMessage());
            assertThrows(IllegalStateException.class, () -> ranks.rings.get(0).allReduce(new float[1]));
        }
    }

    @Test
    void aSingleRankIsANoOp() throws Exception {
        try (RingAllReduce ring = new RingAllReduce(JobSecret.generate(), RingConfig.defaults())) {
            ring.connect(new InProcessAddressExchange(1, Duration.ofSeconds(1)).rank(0));
            float[] buf = {1.5f, -2f, 3.25f};
            ring.allReduce(buf);
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, buf);
            assertEquals(0, ring.payloadBytesSent());
        }
    }

    private static void assertExactSum(ThreadRanks ranks, int size, int length, long seed) throws Exception {
        float[][] inputs = new float[size][];
        for (int r = 0; r < size; r++) {
            inputs[r] = TestBuffers.exactlySummable(seed, r, length);
        }
        double[] truth = TestBuffers.doubleSum(inputs);
        List<float[]> results = ranks.onEveryRank((rank, ring) -> {
            float[] buf = inputs[rank].clone();
            ring.allReduce(buf, 0, length);
            return buf;
        });
        for (int r = 0; r < size; r++) {
            float[] got = results.get(r);
            for (int i = 0; i < length; i++) {
                if (got[i] != (float) truth[i]) {
                    throw new AssertionError("ring of " + size + ", length " + length + ": rank " + r + " element " + i
                            + " is " + got[i] + ", the exact sum is " + truth[i]);
                }
            }
            assertArrayEquals(results.get(0), got, "rank " + r + " differs from rank 0");
        }
    }
}
