package org.sparkbert.bench.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The launcher hands its settings to the two rank JVMs as a command line of the hidden {@code rank}
 * command; the ranks must read back exactly what the launcher was given, and the launcher's defaults
 * are the ones docs/BENCHMARKS.md documents.
 */
class AllReduceBenchmarkTest {

    @Test
    void ranksReadBackTheLaunchersSettings() {
        AllReduceBenchmark launcher = new AllReduceBenchmark();
        new CommandLine(launcher)
                .parseArgs(
                        "--floats",
                        "1000,11267900",
                        "--iterations",
                        "7",
                        "--sub-chunk-bytes",
                        "131072",
                        "--socket-buffer-bytes",
                        "4194304",
                        "--rank-heap",
                        "1g",
                        "--logs",
                        "/tmp/x");
        assertEquals("1g", launcher.heap);
        assertEquals(Path.of("/tmp/x"), launcher.logs);

        List<String> command = new ArrayList<>(launcher.rankArguments());
        command.addAll(List.of("1", "2")); // what RankProcesses appends: the rank and the ring size
        CommandLine.ParseResult parsed =
                new CommandLine(new AllReduceBenchmark()).parseArgs(command.toArray(String[]::new));
        AllReduceBenchmark.Rank rank =
                (AllReduceBenchmark.Rank) parsed.subcommand().commandSpec().userObject();
        assertArrayEquals(new int[] {1000, 11267900}, rank.floats);
        assertEquals(
                List.of(7, 131072, 4194304, 1, 2),
                List.of(rank.iterations, rank.subChunkBytes, rank.socketBufferBytes, rank.rank, rank.size));
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        AllReduceBenchmark launcher = new AllReduceBenchmark();
        new CommandLine(launcher).parseArgs();
        assertEquals(
                List.of(
                        "rank",
                        "--floats",
                        "262144,1048576,4194304,11267900",
                        "--iterations",
                        "20",
                        "--sub-chunk-bytes",
                        "65536",
                        "--socket-buffer-bytes",
                        "0"),
                launcher.rankArguments());
        assertEquals("2g", launcher.heap);
    }

    @Test
    void refusesAnUnknownOption() {
        // --only belongs to the script, which must not pass it on
        assertThrows(
                CommandLine.UnmatchedArgumentException.class,
                () -> new CommandLine(new AllReduceBenchmark()).parseArgs("--only", "cluster"));
    }
}
