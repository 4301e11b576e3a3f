package org.sparkbert.train.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.loop.MaskedTokenEntropy;
import org.sparkbert.engine.loop.ProgressRecord;

class JobPartsTest {

    @Test
    void epochOrderIsAPermutationFixedBySeedShardAndEpoch() {
        int[] a = EpochOrder.of(1000, 7, 3, 0);
        assertArrayEquals(
                IntStream.range(0, 1000).toArray(), Arrays.stream(a).sorted().toArray());
        assertArrayEquals(a, EpochOrder.of(1000, 7, 3, 0));
        assertFalse(Arrays.equals(a, EpochOrder.of(1000, 7, 3, 1)), "each epoch its own order");
        assertFalse(Arrays.equals(a, EpochOrder.of(1000, 7, 4, 0)), "each shard its own order");
        assertFalse(Arrays.equals(a, EpochOrder.of(1000, 8, 3, 0)), "each seed its own order");
        long fixedPoints = IntStream.range(0, 1000).filter(i -> a[i] == i).count();
        assertTrue(fixedPoints < 10, "a shuffle leaves about one element in place, not " + fixedPoints);
    }

    @Test
    void maskedTokenEntropyIsTheUnigramEntropyInNats() {
        MaskedTokenEntropy h = new MaskedTokenEntropy(10);
        assertEquals(0, h.nats());
        h.add(new int[] {1, 2, 3, 4, 99}, 4);
        assertEquals(Math.log(4), h.nats(), 1e-12, "four tokens once each: ln 4");
        h.add(new int[] {1, 1, 1, 1}, 4);
        // counts 5,1,1,1 of 8
        double expected = -(5 / 8.0 * Math.log(5 / 8.0) + 3 * (1 / 8.0) * Math.log(1 / 8.0));
        assertEquals(expected, h.nats(), 1e-12);
    }

    @Test
    void theDataPositionIsAFunctionOfTheStep() {
        assertArrayEquals(new long[] {0, 0}, ShardedBatches.position(0, 8, 100));
        assertArrayEquals(new long[] {0, 96}, ShardedBatches.position(12, 8, 100));
        assertArrayEquals(new long[] {1, 4}, ShardedBatches.position(13, 8, 100));
        assertEquals(1.04, ShardedBatches.epoch(13, 8, 100), 1e-12);
    }

    @Test
    void progressRecordsWriteTheMetricsKeys() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ProgressRecord nsp = new ProgressRecord(200, 1000, 7.5, 6.8, 0.07, 0.69, 0.51, 9.5e-5, 12345, 60, 6.1);
        JsonNode line = json.readTree(nsp.toJsonLine());
        assertEquals(200, line.get("step").asLong());
        assertEquals(0.69, line.get("nsp_loss").asDouble());
        assertEquals(0.51, line.get("nsp_accuracy").asDouble());
        assertEquals(6.1, line.get("masked_unigram_entropy").asDouble());
        for (String key :
                new String[] {"loss", "mlm_loss", "mlm_accuracy", "lr", "tokens_per_second", "elapsed_seconds"}) {
            assertTrue(line.has(key), key);
        }
        assertEquals(
                "step 200/1000 | loss 7.5000 | mlm 6.8000 acc 0.070 (unigram entropy 6.100) | nsp 0.6900 acc 0.510"
                        + " | lr 9.500e-05 | 12345 tok/s | ETA 4m00s",
                nsp.toLogLine("nsp"));

        ProgressRecord mlm = new ProgressRecord(5, 10, 6.8, 6.8, 0.07, Double.NaN, Double.NaN, 1e-4, 100, 5, 6.1);
        JsonNode mlmLine = json.readTree(mlm.toJsonLine());
        assertFalse(mlmLine.has("nsp_loss"));
        assertFalse(mlmLine.has("nsp_accuracy"));
        assertFalse(mlm.toLogLine("nsp").contains("nsp"));

        ProgressRecord noEntropy =
                new ProgressRecord(5, 10, 6.8, 6.8, 0.07, Double.NaN, Double.NaN, 1e-4, 100, 5, Double.NaN);
        assertFalse(json.readTree(noEntropy.toJsonLine()).has("masked_unigram_entropy"), "unknown: left out, not NaN");
        assertFalse(noEntropy.toLogLine("nsp").contains("entropy"));
    }
}
