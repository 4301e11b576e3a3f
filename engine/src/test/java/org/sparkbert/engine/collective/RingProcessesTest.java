package org.sparkbert.engine.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranks as separate JVMs on 127.0.0.1: what a ring of executors looks like, minus Spark. */
class RingProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void threeJvmsEndWithTheExactSumBitForBit() throws Exception {
        int size = 3;
        int length = 1_000_003;
        long seed = 42;
        try (RankProcesses ranks = start(size, length, 3, seed, 30_000)) {
            for (int rank = 0; rank < size; rank++) {
                ranks.awaitLine(rank, "FINISHED", WAIT);
                assertEquals(0, ranks.awaitExit(rank, WAIT), ranks.errors(rank));
            }
        }
        float[][] inputs = new float[size][];
        for (int r = 0; r < size; r++) {
            inputs[r] = TestBuffers.exactlySummable(seed, r, length);
        }
        double[] truth = TestBuffers.doubleSum(inputs);
        float[] rank0 = RingRankProcess.read(dir.resolve("result-0"));
        assertEquals(length, rank0.length);
        for (int i = 0; i < length; i++) {
            if (rank0[i] != (float) truth[i]) {
                throw new AssertionError("element " + i + " is " + rank0[i] + ", the exact sum is " + truth[i]);
            }
        }
        for (int r = 1; r < size; r++) {
            assertArrayEquals(rank0, RingRankProcess.read(dir.resolve("result-" + r)), "rank " + r);
        }
    }

    @Test
    void killingOneJvmMidCallMakesTheOthersFailInsteadOfHanging() throws Exception {
        // The ring's timeout (10 min) is far beyond WAIT: the survivors must notice the loss itself.
        try (RankProcesses ranks = start(3, 2_000_000, 1_000_000, 7, 600_000)) {
            ranks.awaitLine(1, "DONE 3", WAIT);
            ranks.process(1).destroyForcibly();
            for (int rank : new int[] {0, 2}) {
                assertEquals(3, ranks.awaitExit(rank, WAIT), "rank " + rank + " did not fail: " + ranks.errors(rank));
            }
            // Rank 2 reads from rank 1, so it sees the death first hand; rank 0 writes to it, or hears
            // from rank 2 that the ring broke.
            assertTrue(ranks.errors(2).matches("(?s)FAILED rank 1 at 127\\.0\\.0\\.1:\\d+ .*"), ranks.errors(2));
            assertTrue(ranks.errors(0).matches("(?s)FAILED rank [12] at 127\\.0\\.0\\.1:\\d+ .*"), ranks.errors(0));
        }
    }

    private RankProcesses start(int size, int length, int calls, long seed, long timeoutMillis) throws Exception {
        List<String> args = List.of(
                Integer.toString(length),
                Integer.toString(calls),
                Long.toString(seed),
                Long.toString(timeoutMillis),
                dir.resolve("result-").toString());
        return RankProcesses.start(
                size,
                List.of("-Xmx256m", "-XX:+UseSerialGC"),
                RingRankProcess.class.getName(),
                args,
                JobSecret.generate(),
                dir.resolve("logs"));
    }
}
