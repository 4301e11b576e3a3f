package org.sparkbert.bench.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * scripts/bench/allreduce --only integrity passes its options on unchanged: the launcher keeps the
 * hand-written parser's option names and defaults (docs/BENCHMARKS.md quotes them), refuses an
 * unknown option, and the two rank JVMs read back exactly what the launcher was given.
 */
class IntegrityBenchmarkTest {

    @Test
    void defaultsAreABertMiniGradientTenIterationsFiveRounds() {
        IntegrityBenchmark launcher = new IntegrityBenchmark();
        new CommandLine(launcher).parseArgs();
        assertEquals(List.of(11267900, 10, 5, Path.of(System.getProperty("java.io.tmpdir"))), values(launcher));
        assertEquals(
                List.of("rank", "--floats", "11267900", "--iterations", "10", "--rounds", "5"),
                launcher.rankArguments());
    }

    @Test
    void ranksReadBackTheLaunchersSettings() {
        IntegrityBenchmark launcher = new IntegrityBenchmark();
        new CommandLine(launcher)
                .parseArgs("--logs", "/tmp/x", "--floats", "262144", "--rounds", "1", "--iterations", "2");
        assertEquals(List.of(262144, 2, 1, Path.of("/tmp/x")), values(launcher));

        List<String> command = new ArrayList<>(launcher.rankArguments());
        command.addAll(List.of("1", "2")); // what RankProcesses appends: the rank and the ring size
        CommandLine.ParseResult parsed =
                new CommandLine(new IntegrityBenchmark()).parseArgs(command.toArray(String[]::new));
        IntegrityBenchmark.Rank rank =
                (IntegrityBenchmark.Rank) parsed.subcommand().commandSpec().userObject();
        assertEquals(
                List.of(262144, 2, 1, 1, 2), List.of(rank.floats, rank.iterations, rank.rounds, rank.rank, rank.size));
    }

    @Test
    void refusesAnUnknownOption() {
        // --only belongs to the script, which must not pass it on
        assertThrows(
                CommandLine.UnmatchedArgumentException.class,
                () -> new CommandLine(new IntegrityBenchmark()).parseArgs("--only", "integrity"));
        // the rank child takes named options only, no longer the old positional floats iterations rounds
        assertThrows(
                CommandLine.ParameterException.class,
                () -> new CommandLine(new IntegrityBenchmark()).parseArgs("rank", "262144", "2", "1", "0", "2"));
    }

    private static List<Object> values(IntegrityBenchmark b) {
        return List.of(b.floats, b.iterations, b.rounds, b.logs);
    }
}
