package org.sparkbert.engine.collective;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Ranks of a ring as separate JVMs on this machine, started with this JVM's class path: each child
 * gets its rank and the ring size as its last two arguments and the job secret as the first line of
 * its standard input; its {@link StreamAddressExchange} lines are relayed between the children, and
 * its other output lines are kept for {@link #awaitLine}. Standard error goes to a file per rank.
 */
public final class RankProcesses implements AutoCloseable {
    private static final String EXITED = "\u0000exited";

    private final int size;
    private final List<Process> processes = new ArrayList<>();
    private final List<PrintStream> inputs = new ArrayList<>();
    private final List<BlockingQueue<String>> outputs = new ArrayList<>();
    private final List<Path> errorFiles = new ArrayList<>();
    private final Map<Integer, PeerAddress[]> openRounds = new HashMap<>();
    private final int[] roundOfRank;

    private RankProcesses(int size) {
        this.size = size;
        this.roundOfRank = new int[size];
    }

    /** Starts {@code size} JVMs running {@code mainClass args... rank size}. */
    public static RankProcesses start(
            int size, List<String> jvmOptions, String mainClass, List<String> args, JobSecret secret, Path logDir)
            throws IOException {
        Files.createDirectories(logDir);
        RankProcesses ranks = new RankProcesses(size);
        try {
            for (int rank = 0; rank < size; rank++) {
                ranks.launch(rank, jvmOptions, mainClass, args, secret, logDir);
            }
        } catch (IOException | RuntimeException e) {
            ranks.close();
            throw e;
        }
        return ranks;
    }

    private void launch(
            int rank, List<String> jvmOptions, String mainClass, List<String> args, JobSecret secret, Path logDir)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        command.addAll(args);
        command.add(Integer.toString(rank));
        command.add(Integer.toString(size));
        Path errors = logDir.resolve("rank-" + rank + ".err");
        Process process =
                new ProcessBuilder(command).redirectError(errors.toFile()).start();
        PrintStream input = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        input.println(secret.toBase64());
        processes.add(process);
        inputs.add(input);
        outputs.add(new LinkedBlockingQueue<>());
        errorFiles.add(errors);
        Thread reader = new Thread(() -> pump(rank, process), "rank-" + rank + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Surefire runs tests from a manifest-only jar and names the real class path in this property. */
    static String classPath() {
        String testClassPath = System.getProperty("surefire.test.class.path");
        return testClassPath != null && !testClassPath.isEmpty()
                ? testClassPath
                : System.getProperty("java.class.path");
    }

    private void pump(int rank, Process process) {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(StreamAddressExchange.PUBLISH + " ")) {
                    relay(
                            rank,
                            PeerAddress.parse(line.substring(StreamAddressExchange.PUBLISH.length() + 1)
                                    .trim()));
                } else {
                    outputs.get(rank).add(line);
                }
            }
        } catch (IOException e) {
            outputs.get(rank).add("stdout of rank " + rank + " broke: " + e);
        }
        outputs.get(rank).add(EXITED);
    }

    /** The k-th address a rank publishes belongs to round k; a full round goes back to every rank. */
    private synchronized void relay(int rank, PeerAddress address) {
        int round = roundOfRank[rank]++;
        PeerAddress[] addresses = openRounds.computeIfAbsent(round, r -> new PeerAddress[size]);
        addresses[rank] = address;
        if (Stream.of(addresses).allMatch(a -> a != null)) {
            openRounds.remove(round);
            String line = StreamAddressExchange.ALL + " "
                    + Stream.of(addresses).map(PeerAddress::toString).collect(Collectors.joining(","));
            inputs.forEach(in -> in.println(line));
        }
    }

    /** The next output line of {@code rank} that starts with {@code prefix}; earlier lines are dropped. */
    public String awaitLine(int rank, String prefix, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = outputs.get(rank).poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IOException("rank " + rank + " printed no '" + prefix + "' line within " + timeout
                        + "; its stderr:\n" + errors(rank));
            }
            if (line.equals(EXITED)) {
                outputs.get(rank).add(EXITED);
                throw new IOException("rank " + rank + " ended before printing a '" + prefix + "' line; its stderr:\n"
                        + errors(rank));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** The exit code, or an exception if the process is still running after {@code timeout}. */
    public int awaitExit(int rank, Duration timeout) throws IOException, InterruptedException {
        Process process = processes.get(rank);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("rank " + rank + " still runs after " + timeout + "; its stderr:\n" + errors(rank));
        }
        return process.exitValue();
    }

    public Process process(int rank) {
        return processes.get(rank);
    }

    /** What the rank wrote on standard error so far. */
    public String errors(int rank) {
        try {
            return Files.readString(errorFiles.get(rank));
        } catch (IOException e) {
            return "(cannot read " + errorFiles.get(rank) + ": " + e + ")";
        }
    }

    /** Kills every rank still running. */
    @Override
    public void close() {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
