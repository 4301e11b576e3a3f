package org.sparkbert.bench.collective;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.sparkbert.engine.collective.AddressExchange;
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
 * Ring all-reduce between two JVMs against a plain TCP copy of the same bytes between the same two
 * JVMs, with the same socket options. Run by {@code scripts/bench/allreduce}:
 *
 * <pre>
 *   AllReduceBenchmark [--floats N,N,...] [--iterations K] [--sub-chunk-bytes B]
 *                      [--socket-buffer-bytes S] [--rank-heap 2g] [--logs DIR]
 * </pre>
 *
 * It starts the two ranks as child JVMs (this class's hidden {@code rank} command) and prints two
 * Markdown tables: the median and the best of K back-to-back operations after 3 warm-up ones, each
 * on the slower of the two ranks.
 * Bus bandwidth is 2(N-1)/N * bytes / time, the NCCL convention (N = 2 here, so bytes / time); the
 * copy's bandwidth is bytes / time.
 */
@Command(
        name = "AllReduceBenchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = AllReduceBenchmark.Rank.class,
        description = "Ring all-reduce between two JVMs against a plain TCP copy of the same bytes; Markdown tables.")
public final class AllReduceBenchmark implements Callable<Integer> {
    private static final int WARMUP = 3;
    private static final String RESULT = "RESULT";
    private static final int WARM_UP_ROUNDS = 300;
    private static final int WARM_UP_FLOATS = 1 << 18;

    @Option(
            names = "--floats",
            split = ",",
            defaultValue = "262144,1048576,4194304,11267900",
            paramLabel = "N",
            description = "Buffer sizes in floats. Default: ${DEFAULT-VALUE}.")
    int[] floats;

    @Option(
            names = "--iterations",
            defaultValue = "20",
            paramLabel = "K",
            description = "Timed operations per size and method. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(
            names = "--sub-chunk-bytes",
            paramLabel = "B",
            description = "The ring's piece size. Default: ${DEFAULT-VALUE}.")
    int subChunkBytes = RingConfig.DEFAULT_SUB_CHUNK_BYTES;

    @Option(
            names = "--socket-buffer-bytes",
            defaultValue = "0",
            paramLabel = "S",
            description = "Socket send and receive buffers; 0 leaves them to the kernel. Default: ${DEFAULT-VALUE}.")
    int socketBufferBytes;

    @Option(
            names = "--rank-heap",
            defaultValue = "2g",
            paramLabel = "SIZE",
            description = "-Xmx of each rank's JVM. Default: ${DEFAULT-VALUE}.")
    String heap;

    @Option(
            names = "--logs",
            paramLabel = "DIR",
            description = "Where the ranks' standard error goes. Default: the temporary directory.")
    Path logs = Path.of(System.getProperty("java.io.tmpdir"));

    AllReduceBenchmark() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new AllReduceBenchmark()).execute(args));
    }

    /** The launcher: starts the two ranks (this class's {@code rank} command), prints the tables. */
    @Override
    public Integer call() throws Exception {
        System.out.printf(
                Locale.ROOT,
                "ring all-reduce vs plain TCP copy, 2 JVMs on 127.0.0.1, ring pieces %d bytes "
                        + "(ring reads and writes, and copy pieces, up to 1 MiB), "
                        + "socket buffers %s, %d timed iterations after a JIT warm-up and %d untimed ones%n",
                subChunkBytes,
                socketBufferBytes == 0 ? "kernel auto-tuned" : socketBufferBytes + " bytes",
                iterations,
                WARMUP);
        List<double[]> rows = new ArrayList<>();
        try (RankProcesses ranks = RankProcesses.start(
                2,
                List.of("-Xmx" + heap, "-XX:+UseG1GC"),
                AllReduceBenchmark.class.getName(),
                rankArguments(),
                JobSecret.generate(),
                logs)) {
            for (int n : floats) {
                List<String> lines = new ArrayList<>();
                for (int rank = 0; rank < 2; rank++) {
                    lines.add(ranks.awaitLine(rank, RESULT + " " + n + " ", Duration.ofMinutes(10)));
                }
                rows.add(combine(lines));
            }
            for (int rank = 0; rank < 2; rank++) {
                if (ranks.awaitExit(rank, Duration.ofMinutes(1)) != 0) {
                    throw new IOException("rank " + rank + " failed: " + ranks.errors(rank));
                }
            }
        }
        printTables(rows);
        return 0;
    }

    /** The command line of each rank JVM before the rank and the size that {@link RankProcesses} appends. */
    List<String> rankArguments() {
        return List.of(
                "rank",
                "--floats",
                Arrays.stream(floats).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                "--iterations",
                Integer.toString(iterations),
                "--sub-chunk-bytes",
                Integer.toString(subChunkBytes),
                "--socket-buffer-bytes",
                Integer.toString(socketBufferBytes));
    }

    /**
     * One row from both ranks' result lines of one size: n, then median, best and CPU of the ring, the
     * one-way copy and the two-way exchange; times are the slower rank's, CPU both JVMs together.
     */
    public static double[] combine(List<String> resultLines) {
        double[] row = new double[10];
        for (String line : resultLines) {
            String[] fields = line.trim().split(" ");
            row[0] = Long.parseLong(fields[1]);
            for (int k = 1; k < row.length; k++) {
                double value = Double.parseDouble(fields[1 + k]);
                row[k] = k % 3 == 0 ? row[k] + value : Math.max(row[k], value);
            }
        }
        return row;
    }

    /** The median, best and CPU tables of docs/BENCHMARKS.md from rows of {@link #combine}. */
    public static void printTables(List<double[]> rows) {
        printTable("median of the timed iterations", rows, 1);
        printTable("best of the timed iterations", rows, 2);
        printCpuTable(rows);
    }

    /**
     * What one rank of a connected two-rank ring measures (the ring, then a plain copy connected through
     * the same exchange): one result line per size, for {@link #combine}. Rank mode and the Spark
     * cluster benchmark both run it.
     */
    public static List<String> measureRank(
            RingAllReduce ring, AddressExchange exchange, RingConfig config, int[] sizes, int iterations)
            throws IOException {
        int rank = exchange.rank();
        List<String> lines = new ArrayList<>();
        try (PlainCopy copy = PlainCopy.connect(exchange, config)) {
            warmUp(ring, copy, rank);
            for (int n : sizes) {
                float[] data = gradientLike(n, rank);
                float[] into = new float[n];
                float[] buf = data.clone();
                Measurement ringCalls = measure(iterations, () -> ring.allReduce(buf));
                Measurement oneWay = measure(iterations, () -> copyOneWay(copy, rank, data, into));
                Measurement twoWay = measure(iterations, () -> copy.exchange(data, into));
                lines.add(String.format(Locale.ROOT, "%s %d %s %s %s", RESULT, n, ringCalls, oneWay, twoWay));
            }
        }
        return lines;
    }

    private static void printCpuTable(List<double[]> rows) {
        System.out.printf(Locale.ROOT, "%nCPU time per operation, user + system, both JVMs together:%n%n");
        System.out.println("| floats | MB | ring all-reduce CPU ms | plain copy one-way CPU ms "
                + "| plain two-way exchange CPU ms | ring / two-way |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (double[] row : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %,d | %.1f | %.2f | %.2f | %.2f | %.2f |%n",
                    (long) row[0],
                    row[0] * Float.BYTES / 1e6,
                    row[3] * 1e3,
                    row[6] * 1e3,
                    row[9] * 1e3,
                    row[3] / row[9]);
        }
    }

    /** Columns {@code first}, first+3, first+6 of each row hold the ring, one-way and two-way times. */
    private static void printTable(String title, List<double[]> rows, int first) {
        System.out.printf(Locale.ROOT, "%n%s:%n%n", title);
        System.out.println("| floats | MB | ring all-reduce ms | ring bus GB/s | plain copy one-way ms | one-way GB/s "
                + "| plain two-way exchange ms | two-way GB/s per direction | ring / one-way | ring / two-way |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (double[] row : rows) {
            printRow((long) row[0], row[first], row[first + 3], row[first + 6]);
        }
    }

    private static void printRow(long floats, double ringSeconds, double oneWaySeconds, double twoWaySeconds) {
        double bytes = floats * (double) Float.BYTES;
        double busBytes = 2.0 * (2 - 1) / 2 * bytes;
        System.out.printf(
                Locale.ROOT,
                "| %,d | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f%% | %.0f%% |%n",
                floats,
                bytes / 1e6,
                ringSeconds * 1e3,
                busBytes / ringSeconds / 1e9,
                oneWaySeconds * 1e3,
                bytes / oneWaySeconds / 1e9,
                twoWaySeconds * 1e3,
                bytes / twoWaySeconds / 1e9,
                100 * oneWaySeconds / ringSeconds * busBytes / bytes,
                100 * twoWaySeconds / ringSeconds * busBytes / bytes);
    }

    /** One rank, started by the launcher: the job secret on standard input, the result lines on standard output. */
    @Command(name = "rank", hidden = true, description = "One rank of the benchmark (the launcher starts two).")
    static final class Rank implements Callable<Integer> {
        @Option(names = "--floats", split = ",", required = true, paramLabel = "N")
        int[] floats;

        @Option(names = "--iterations", required = true, paramLabel = "K")
        int iterations;

        @Option(names = "--sub-chunk-bytes", required = true, paramLabel = "B")
        int subChunkBytes;

        @Option(names = "--socket-buffer-bytes", required = true, paramLabel = "S")
        int socketBufferBytes;

        @Parameters(index = "0", paramLabel = "RANK")
        int rank;

        @Parameters(index = "1", paramLabel = "SIZE")
        int size;

        @Override
        public Integer call() throws IOException {
            RingConfig config = RingConfig.defaults()
                    .withTimeout(Duration.ofMinutes(2))
                    .withSubChunkBytes(subChunkBytes)
                    .withSocketBufferBytes(socketBufferBytes);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            JobSecret secret = JobSecret.fromBase64(in.readLine());
            StreamAddressExchange exchange = new StreamAddressExchange(rank, size, "127.0.0.1", in, System.out);
            try (RingAllReduce ring = new RingAllReduce(secret, config)) {
                ring.connect(exchange);
                for (String line : measureRank(ring, exchange, config, floats, iterations)) {
                    System.out.println(line);
                    System.out.flush();
                }
            }
            return 0;
        }
    }

    /** One timed operation of the benchmark. */
    interface Operation {
        void run() throws IOException;
    }

    /** Wall-clock times of the timed iterations, sorted, and the JVM's CPU time per iteration. */
    record Measurement(double[] sortedSeconds, double cpuSecondsPerOperation) {
        double median() {
            int mid = sortedSeconds.length / 2;
            return sortedSeconds.length % 2 == 1
                    ? sortedSeconds[mid]
                    : (sortedSeconds[mid - 1] + sortedSeconds[mid]) / 2;
        }

        /** median, best, CPU: the fields of a result line. */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.9f %.9f %.9f", median(), sortedSeconds[0], cpuSecondsPerOperation);
        }
    }

    /**
     * The median resists the other processes of a shared machine better than the mean; the CPU time
     * (user + system, all threads of this JVM) does not depend on how long the threads waited for a vCPU.
     */
    static Measurement measure(int iterations, Operation operation) throws IOException {
        for (int i = 0; i < WARMUP; i++) {
            operation.run();
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] seconds = new double[iterations];
        long cpuStart = os.getProcessCpuTime();
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            operation.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9 / iterations;
        Arrays.sort(seconds);
        return new Measurement(seconds, cpu);
    }

    /**
     * Lets the JIT compile all three code paths before anything is timed, so that neither its work
     * nor interpreted code lands in the first method's figures (the CPU column counts every thread).
     */
    private static void warmUp(RingAllReduce ring, PlainCopy copy, int rank) throws IOException {
        float[] data = gradientLike(WARM_UP_FLOATS, rank);
        float[] into = new float[WARM_UP_FLOATS];
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {
            ring.allReduce(data.clone());
            copyOneWay(copy, rank, data, into);
            copy.exchange(data, into);
        }
    }

    /** Rank 0 sends, rank 1 receives and acknowledges each copy, so rank 0 times whole deliveries. */
    private static void copyOneWay(PlainCopy copy, int rank, float[] data, float[] into) throws IOException {
        if (rank == 0) {
            copy.send(data);
            copy.awaitAck();
        } else {
            copy.receive(into);
            copy.sendAck();
        }
    }

    /** Small values, so that repeated all-reduces of the same buffer stay finite. */
    static float[] gradientLike(int n, int rank) {
        SplittableRandom random = new SplittableRandom(rank + 1);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble() - 0.5) * 1e-3f;
        }
        return values;
    }
}
