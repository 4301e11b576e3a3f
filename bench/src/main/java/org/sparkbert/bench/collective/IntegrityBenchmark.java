package org.sparkbert.bench.collective;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparkbert.bench.collective.AllReduceBenchmark.Measurement;
import org.sparkbert.engine.collective.FrameIntegrity;
import org.sparkbert.engine.collective.JobSecret;
import org.sparkbert.engine.collective.RankProcesses;
import org.sparkbert.engine.collective.RingAllReduce;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.collective.StreamAddressExchange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What each frame check costs the ring: between the same two JVMs, one ring per {@link
 * FrameIntegrity} and the plain two-way exchange of the same bytes, measured in turn, round after
 * round, so that a loaded machine's drift falls on every method alike. Run by {@code
 * scripts/bench/allreduce --only integrity}:
 *
 * <pre>
 *   IntegrityBenchmark [--floats N] [--iterations K] [--rounds R] [--logs DIR]
 * </pre>
 *
 * It starts the two ranks as child JVMs (this class's hidden {@code rank} command) and prints each
 * round's median and CPU per method (the slower rank's wall clock; CPU of both JVMs together, all
 * threads) and the median over the rounds.
 */
@Command(
        name = "IntegrityBenchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = IntegrityBenchmark.Rank.class,
        description = "What each frame check costs the ring against a plain two-way exchange; a Markdown table.")
public final class IntegrityBenchmark implements Callable<Integer> {
    private static final String ROUND = "ROUND";
    private static final String EXCHANGE = "two-way exchange";
    private static final int WARM_UP_ROUNDS = 100;
    private static final int WARM_UP_FLOATS = 1 << 18;

    @Option(
            names = "--floats",
            defaultValue = "11267900",
            paramLabel = "N",
            description = "Buffer size in floats. Default: ${DEFAULT-VALUE} (a BERT-mini gradient).")
    int floats;

    @Option(
            names = "--iterations",
            defaultValue = "10",
            paramLabel = "K",
            description = "Timed operations per method and round. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            paramLabel = "R",
            description = "Rounds, each measuring every method in turn. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(
            names = "--logs",
            paramLabel = "DIR",
            description = "Where the ranks' standard error goes. Default: the temporary directory.")
    Path logs = Path.of(System.getProperty("java.io.tmpdir"));

    IntegrityBenchmark() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new IntegrityBenchmark()).execute(args));
    }

    /** The launcher: starts the two ranks (this class's {@code rank} command), prints the table. */
    @Override
    public Integer call() throws Exception {
        List<String> methods = new ArrayList<>();
        for (FrameIntegrity integrity : FrameIntegrity.values()) {
            methods.add("ring " + integrity.label());
        }
        methods.add(EXCHANGE);
        System.out.printf(
                Locale.ROOT,
                "ring all-reduce per frame check vs plain two-way exchange, 2 JVMs on 127.0.0.1,"
                        + " %s floats (%.1f MB), %d rounds of %s timed iterations per method after 3 untimed ones, methods"
                        + " interleaved in each round%n%n",
                floats,
                floats * 4L / 1e6,
                rounds,
                iterations);
        // round -> method -> {slower rank's median, slower rank's best, CPU of both}
        List<Map<String, double[]>> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            results.add(new LinkedHashMap<>());
        }
        try (RankProcesses ranks = RankProcesses.start(
                2,
                List.of("-Xmx2g", "-XX:+UseG1GC"),
                IntegrityBenchmark.class.getName(),
                rankArguments(),
                JobSecret.generate(),
                logs)) {
            for (int r = 0; r < rounds; r++) {
                for (String method : methods) {
                    for (int rank = 0; rank < 2; rank++) {
                        String line = ranks.awaitLine(
                                rank, ROUND + " " + r + " " + method.replace(' ', '_') + " ", Duration.ofMinutes(10));
                        String[] fields = line.trim().split(" ");
                        double[] figures = results.get(r).computeIfAbsent(method, m -> new double[3]);
                        figures[0] = Math.max(figures[0], Double.parseDouble(fields[3]));
                        figures[1] = Math.max(figures[1], Double.parseDouble(fields[4]));
                        figures[2] += Double.parseDouble(fields[5]);
                    }
                }
            }
            for (int rank = 0; rank < 2; rank++) {
                if (ranks.awaitExit(rank, Duration.ofMinutes(1)) != 0) {
                    throw new IOException("rank " + rank + " failed: " + ranks.errors(rank));
                }
            }
        }
        printRounds(methods, results);
        return 0;
    }

    /** The command line of each rank JVM before the rank and the size that {@link RankProcesses} appends. */
    List<String> rankArguments() {
        return List.of(
                "rank",
                "--floats",
                Integer.toString(floats),
                "--iterations",
                Integer.toString(iterations),
                "--rounds",
                Integer.toString(rounds));
    }

    private static void printRounds(List<String> methods, List<Map<String, double[]>> results) {
        StringBuilder header = new StringBuilder("| round |");
        StringBuilder rule = new StringBuilder("|---:|");
        for (String method : methods) {
            header.append(' ').append(method).append(": median ms (CPU ms) |");
            rule.append("---:|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (int r = 0; r < results.size(); r++) {
            StringBuilder row = new StringBuilder("| " + (r + 1) + " |");
            for (String method : methods) {
                double[] figures = results.get(r).get(method);
                row.append(String.format(Locale.ROOT, " %.1f (%.1f) |", figures[0] * 1e3, figures[2] * 1e3));
            }
            System.out.println(row);
        }
        StringBuilder medians = new StringBuilder("| **median of the rounds** |");
        for (String method : methods) {
            double[] wall =
                    results.stream().mapToDouble(m -> m.get(method)[0]).sorted().toArray();
            double[] cpu =
                    results.stream().mapToDouble(m -> m.get(method)[2]).sorted().toArray();
            medians.append(String.format(Locale.ROOT, " **%.1f (%.1f)** |", median(wall) * 1e3, median(cpu) * 1e3));
        }
        System.out.println(medians);
    }

    private static double median(double[] sorted) {
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** One rank, started by the launcher: the job secret on standard input, the round lines on standard output. */
    @Command(name = "rank", hidden = true, description = "One rank of the benchmark (the launcher starts two).")
    static final class Rank implements Callable<Integer> {
        @Option(names = "--floats", required = true, paramLabel = "N")
        int floats;

        @Option(names = "--iterations", required = true, paramLabel = "K")
        int iterations;

        @Option(names = "--rounds", required = true, paramLabel = "R")
        int rounds;

        @Parameters(index = "0", paramLabel = "RANK")
        int rank;

        @Parameters(index = "1", paramLabel = "SIZE")
        int size;

        @Override
        public Integer call() throws IOException {
            runRank(floats, iterations, rounds, rank, size);
            return 0;
        }
    }

    private static void runRank(int n, int iterations, int rounds, int rank, int size) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        JobSecret secret = JobSecret.fromBase64(in.readLine());
        StreamAddressExchange exchange = new StreamAddressExchange(rank, size, "127.0.0.1", in, System.out);
        RingConfig base = RingConfig.defaults().withTimeout(Duration.ofMinutes(2));
        Map<FrameIntegrity, RingAllReduce> rings = new LinkedHashMap<>();
        try (PlainCopy copy = PlainCopy.connect(exchange, base)) {
            for (FrameIntegrity integrity : FrameIntegrity.values()) {
                RingAllReduce ring = new RingAllReduce(secret, base.withIntegrity(integrity));
                rings.put(integrity, ring);
                ring.connect(exchange);
            }
            float[] data = AllReduceBenchmark.gradientLike(n, rank);
            float[] into = new float[n];
            warmUp(rings, copy, rank);
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<FrameIntegrity, RingAllReduce> ring : rings.entrySet()) {
                    float[] buf = data.clone();
                    print(
                            r,
                            "ring " + ring.getKey().label(),
                            AllReduceBenchmark.measure(
                                    iterations, () -> ring.getValue().allReduce(buf)));
                }
                print(r, EXCHANGE, AllReduceBenchmark.measure(iterations, () -> copy.exchange(data, into)));
            }
        } finally {
            for (RingAllReduce ring : rings.values()) {
                ring.close();
            }
        }
    }

    private static void print(int round, String method, Measurement measurement) {
        System.out.printf(Locale.ROOT, "%s %d %s %s%n", ROUND, round, method.replace(' ', '_'), measurement);
        System.out.flush();
    }

    /** Lets the JIT compile every method's code before anything is timed. */
    private static void warmUp(Map<FrameIntegrity, RingAllReduce> rings, PlainCopy copy, int rank) throws IOException {
        float[] data = AllReduceBenchmark.gradientLike(WARM_UP_FLOATS, rank);
        float[] into = new float[WARM_UP_FLOATS];
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {
            for (RingAllReduce ring : rings.values()) {
                ring.allReduce(data.clone());
            }
            copy.exchange(data, into);
        }
    }
}
