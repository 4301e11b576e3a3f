package org.sparkbert.bench.collective;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkbert.bench.collective.AllReduceBenchmark.Measurement;
import org.sparkbert.engine.collective.FrameIntegrity;
import org.sparkbert.engine.collective.JobSecret;
import org.sparkbert.engine.collective.RankProcesses;
import org.sparkbert.engine.collective.RingAllReduce;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.collective.StreamAddressExchange;

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
 * Prints each round's median and CPU per method (the slower rank's wall clock; CPU of both JVMs
 * together, all threads) and the median over the rounds.
 */
public final class IntegrityBenchmark {
  private static final String ROUND = "ROUND";
  private static final String EXCHANGE = "two-way exchange";
  private static final int WARM_UP_ROUNDS = 100;
  private static final int WARM_UP_FLOATS = 1 << 18;

  private IntegrityBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("rank")) {
      runRank(Arrays.copyOfRange(args, 1, args.length));
    } else {
      runLauncher(args);
    }
  }

  private static void runLauncher(String[] args) throws Exception {
    Map<String, String> options = options(args);
    String floats = options.getOrDefault("--floats", "11267900");
    String iterations = options.getOrDefault("--iterations", "10");
    int rounds = Integer.parseInt(options.getOrDefault("--rounds", "5"));
    Path logs = Path.of(options.getOrDefault("--logs", System.getProperty("java.io.tmpdir")));
    List<String> methods = new ArrayList<>();
    for (FrameIntegrity integrity : FrameIntegrity.values()) {
      methods.add("ring " + integrity.label());
    }
    methods.add(EXCHANGE);
    System.out.printf(Locale.ROOT, "ring all-reduce per frame check vs plain two-way exchange, 2 JVMs on 127.0.0.1,"
        + " %s floats (%.1f MB), %d rounds of %s timed iterations per method after 3 untimed ones, methods"
        + " interleaved in each round%n%n", floats, Long.parseLong(floats) * 4 / 1e6, rounds, iterations);
    // round -> method -> {slower rank's median, slower rank's best, CPU of both}
    List<Map<String, double[]>> results = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      results.add(new LinkedHashMap<>());
    }
    try (RankProcesses ranks = RankProcesses.start(2, List.of("-Xmx2g", "-XX:+UseG1GC"),
        IntegrityBenchmark.class.getName(), List.of("rank", floats, iterations, Integer.toString(rounds)),
        JobSecret.generate(), logs)) {
      for (int r = 0; r < rounds; r++) {
        for (String method : methods) {
          for (int rank = 0; rank < 2; rank++) {
            String line = ranks.awaitLine(rank, ROUND + " " + r + " " + method.replace(' ', '_') + " ",
                Duration.ofMinutes(10));
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
      double[] wall = results.stream().mapToDouble(m -> m.get(method)[0]).sorted().toArray();
      double[] cpu = results.stream().mapToDouble(m -> m.get(method)[2]).sorted().toArray();
      medians.append(String.format(Locale.ROOT, " **%.1f (%.1f)** |", median(wall) * 1e3, median(cpu) * 1e3));
    }
    System.out.println(medians);
  }

  private static double median(double[] sorted) {
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Rank mode: floats iterations rounds rank size; secret on stdin. */
  private static void runRank(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int iterations = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int rank = Integer.parseInt(args[3]);
    int size = Integer.parseInt(args[4]);
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
          print(r, "ring " + ring.getKey().label(), AllReduceBenchmark.measure(iterations, () -> ring.getValue().allReduce(buf)));
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

  private static Map<String, String> options(String[] args) {
    List<String> known = List.of("--floats", "--iterations", "--rounds", "--logs");
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!known.contains(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown option or missing value at " + args[i] + "; known: " + known);
      }
      options.put(args[i], args[++i]);
    }
    return options;
  }
}
