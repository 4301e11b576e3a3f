package org.sparkbert.bench.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** CLUSTER_ARGS of scripts/bench/allreduce: the documented options and defaults, --vocab required. */
class DistributedBenchmarkTest {

    @Test
    void needsTheVocabulary() {
        assertThrows(
                CommandLine.MissingParameterException.class,
                () -> new CommandLine(new DistributedBenchmark()).parseArgs("--steps", "0"));
    }

    @Test
    void defaultsAreABertMiniGradientAndSixStepsAtBatch8() {
        DistributedBenchmark b = new DistributedBenchmark();
        new CommandLine(b).parseArgs("--vocab", "/data/bert");
        assertArrayEquals(new int[] {11267900}, b.floats);
        assertEquals(List.of(10, 6, 8, 128, "bert-mini", "/data/bert", "1500m"), values(b));
    }

    @Test
    void takesEveryClusterArgument() {
        DistributedBenchmark b = new DistributedBenchmark();
        new CommandLine(b)
                .parseArgs(
                        "--vocab",
                        "v",
                        "--batch-size",
                        "32",
                        "--steps",
                        "4",
                        "--iterations",
                        "30",
                        "--floats",
                        "1,2",
                        "--seq-length",
                        "64",
                        "--model",
                        "bert-tiny",
                        "--executor-memory",
                        "1g");
        assertArrayEquals(new int[] {1, 2}, b.floats);
        assertEquals(List.of(30, 4, 32, 64, "bert-tiny", "v", "1g"), values(b));
        assertThrows(
                CommandLine.UnmatchedArgumentException.class,
                () -> new CommandLine(new DistributedBenchmark()).parseArgs("--vocab", "v", "--batch", "32"));
    }

    private static List<Object> values(DistributedBenchmark b) {
        return List.of(b.iterations, b.steps, b.batch, b.seq, b.model, b.vocab, b.executorMemory);
    }
}
