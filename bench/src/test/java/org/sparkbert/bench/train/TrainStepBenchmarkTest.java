package org.sparkbert.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * scripts/bench/train-step's command lines mean what they meant with the hand-written parser: the
 * same option names and defaults (docs/BENCHMARKS.md quotes them), and an unknown option is refused
 * rather than ignored.
 */
class TrainStepBenchmarkTest {

    @Test
    void defaultsAreBertMiniAtBatch32By128() {
        TrainStepBenchmark b = new TrainStepBenchmark();
        new CommandLine(b).parseArgs();
        assertEquals(
                List.of("bert-mini", Runtime.getRuntime().availableProcessors(), 32, 128, 20, 30522, 10, 3), values(b));
    }

    @Test
    void takesTheScriptsOptions() {
        TrainStepBenchmark b = new TrainStepBenchmark();
        new CommandLine(b)
                .parseArgs(
                        "--model",
                        "bert-tiny",
                        "--threads",
                        "7",
                        "--batch",
                        "16",
                        "--seq",
                        "64",
                        "--predictions",
                        "10",
                        "--vocab",
                        "1000",
                        "--steps",
                        "5",
                        "--warmup",
                        "2");
        assertEquals(List.of("bert-tiny", 7, 16, 64, 10, 1000, 5, 2), values(b));

        OpenClStepBenchmark o = new OpenClStepBenchmark();
        new CommandLine(o)
                .parseArgs(
                        "--model",
                        "bert-mini",
                        "--batch",
                        "8",
                        "--seq",
                        "128",
                        "--predictions",
                        "20",
                        "--vocab",
                        "30522",
                        "--steps",
                        "2",
                        "--warmup",
                        "1");
        assertEquals(
                List.of("bert-mini", "auto", 8, 128, 20, 30522, 2, 1),
                List.of(o.model, o.device, o.batch, o.seq, o.predictions, o.vocab, o.steps, o.warmup));
    }

    @Test
    void refusesAnUnknownOption() {
        assertThrows(
                CommandLine.UnmatchedArgumentException.class,
                () -> new CommandLine(new TrainStepBenchmark()).parseArgs("--batch-size", "8"));
        assertThrows(
                CommandLine.UnmatchedArgumentException.class,
                () -> new CommandLine(new OpenClStepBenchmark()).parseArgs("--threads", "2"));
    }

    private static List<Object> values(TrainStepBenchmark b) {
        return List.of(b.model, b.threads, b.batch, b.seq, b.predictions, b.vocab, b.steps, b.warmup);
    }
}
