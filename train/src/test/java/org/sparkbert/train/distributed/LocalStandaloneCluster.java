package org.sparkbert.train.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Spark standalone cluster on 127.0.0.1 without a Spark distribution: a Master JVM and
 * Worker JVMs started from a class path (each Worker launching its own executor JVMs with that class
 * path), for tests and benchmarks on one machine. {@link #close()} kills every process tree it started.
 */
public final class LocalStandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final String classPath;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private int masterPort;
    private int masterUiPort;

    private LocalStandaloneCluster(String classPath) throws IOException {
        this.classPath = classPath;
        home = Files.createTempDirectory("spark-standalone");
        // A Worker needs SPARK_HOME with jars/ (empty: executors get the class path through
        // spark.executor.extraClassPath).
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
    }

    /**
     * Starts a Master and {@code workers} Workers of {@code coresPerWorker} cores and {@code
     * workerMemory} (such as "1g") each, and returns once the Master lists them all as alive.
     */
    public static LocalStandaloneCluster start(
            String classPath, int workers, int coresPerWorker, String workerMemory, Duration timeout)
            throws IOException, InterruptedException {
        LocalStandaloneCluster cluster = new LocalStandaloneCluster(classPath);
        try {
            cluster.masterPort = freePort();
            cluster.masterUiPort = freePort();
            cluster.processes.add(cluster.launch(
                    "master",
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(cluster.masterPort),
                    "--webui-port",
                    Integer.toString(cluster.masterUiPort)));
            for (int i = 0; i < workers; i++) {
                Path work = Files.createDirectories(cluster.home.resolve("work-" + i));
                Process worker = cluster.launch(
                        "worker-" + i,
                        "org.apache.spark.deploy.worker.Worker",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(freePort()),
                        "--webui-port",
                        Integer.toString(freePort()),
                        "--cores",
                        Integer.toString(coresPerWorker),
                        "--memory",
                        workerMemory,
                        "--work-dir",
                        work.toString(),
                        cluster.masterUrl());
                cluster.processes.add(worker);
                cluster.workers.add(worker);
            }
            cluster.awaitWorkers(workers, timeout);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    public String classPath() {
        return classPath;
    }

    /** The executor JVMs the Workers launched (their child Java processes), alive now. */
    public List<ProcessHandle> executors() {
        return workers.stream()
                .flatMap(w -> w.toHandle().descendants())
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().orElse("").endsWith("java"))
                .collect(Collectors.toList());
    }

    private Process launch(String name, String mainClass, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_LOG_DIR", home.toString());
        return builder.start();
    }

    /** Polls the Master's JSON until it is ALIVE with the workers (an application that registers earlier is dropped). */
    private void awaitWorkers(int count, Duration timeout) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
                .timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster process exited with " + p.exitValue() + ": " + logs());
                }
            }
            try {
                JsonNode state = JSON.readTree(
                        http.send(request, HttpResponse.BodyHandlers.ofString()).body());
                last = state.path("status").asText() + ", "
                        + state.path("aliveworkers").asInt() + " alive workers";
                if (state.path("status").asText().equals("ALIVE")
                        && state.path("aliveworkers").asInt() >= count) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the standalone master did not come up with " + count + " workers in "
                + timeout.toSeconds() + " s (" + last + "): " + logs());
    }

    /** The last lines of every process's log, for error messages. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(home)) {
            for (Path log :
                    files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(log);
                out.append("\n--- ")
                        .append(log.getFileName())
                        .append(" (last 2000 chars)\n")
                        .append(text.substring(Math.max(0, text.length() - 2000)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Kills every process started here, children (the executors) first. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
