package org.sparkbert.train.distributed;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;

/**
 * A real multi-JVM Spark standalone cluster on 127.0.0.1 started from the Maven test class path
 * (a Master and two Workers of one core each, each Worker launching its own executor JVM), a
 * SparkSession connected to it, and a MiniDFSCluster for checkpoints. One per test class: start in
 * {@code @BeforeAll}, {@link #close()} in {@code @AfterAll} (kills every process tree it started).
 */
final class StandaloneCluster implements AutoCloseable {
    private static final String EXECUTOR_MEMORY = "512m";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StandaloneCluster.class);

    private final Path home;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private final String classPath;
    private MiniDFSCluster hdfs;
    private SparkSession spark;
    private int masterPort;
    private int masterUiPort;

    private StandaloneCluster() throws IOException {
        home = Files.createTempDirectory("spark-standalone");
        // A Worker needs SPARK_HOME with jars/ (empty: the executors get the test class path instead).
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        classPath = testClassPath();
    }

    /** Starts HDFS, the Master, {@code workers} Workers, waits until they are registered, and connects a session. */
    static StandaloneCluster start(int workers, Map<String, String> sparkConf) throws Exception {
        StandaloneCluster cluster = new StandaloneCluster();
        try {
            long t0 = System.nanoTime();
            cluster.startHdfs();
            long t1 = System.nanoTime();
            cluster.startMaster();
            for (int i = 0; i < workers; i++) {
                cluster.startWorker(i);
            }
            cluster.awaitWorkers(workers, Duration.ofSeconds(90));
            long t2 = System.nanoTime();
            cluster.connect(workers, sparkConf);
            cluster.awaitExecutors(workers, Duration.ofSeconds(90));
            log.info(String.format("standalone cluster: HDFS %.1f s, master and %d workers %.1f s, %d executors %.1f s",
                    (t1 - t0) / 1e9, workers, (t2 - t1) / 1e9, workers, (System.nanoTime() - t2) / 1e9));
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Waits until the application has its executors (the first job would otherwise wait for them). */
    void awaitExecutors(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < count + 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the application got no " + count + " executors in " + timeout.toSeconds()
                        + " s: " + logs());
            }
            Thread.sleep(100);
        }
    }

    SparkSession spark() {
        return spark;
    }

    String hdfsUri() {
        return hdfs.getURI().toString();
    }

    MiniDFSCluster hdfs() {
        return hdfs;
    }

    /** The executor JVMs the Workers launched (their child processes), alive now. */
    List<ProcessHandle> executors() {
        return workers.stream().flatMap(w -> w.toHandle().descendants()).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().orElse("").endsWith("java"))
                .collect(Collectors.toList());
    }

    private void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, home.resolve("hdfs").toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
    }

    private void startMaster() throws IOException {
        masterPort = freePort();
        masterUiPort = freePort();
        processes.add(launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(masterPort), "--webui-port", Integer.toString(masterUiPort)));
    }

    private void startWorker(int i) throws IOException {
        Path work = Files.createDirectories(home.resolve("work-" + i));
        Process worker = launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--port", Integer.toString(freePort()), "--webui-port", Integer.toString(freePort()), "--cores", "1",
                "--memory", "1g", "--work-dir", work.toString(), "spark://127.0.0.1:" + masterPort);
        processes.add(worker);
        workers.add(worker);
    }

    private Process launch(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_LOG_DIR", home.toString());
        return builder.start();
    }

    /** Polls the Master's JSON until it is ALIVE with the workers registered (an application that registers early is dropped). */
    private void awaitWorkers(int count, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster process exited with " + p.exitValue() + ": " + logs());
                }
            }
            try {
                JsonNode state = JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
                last = state.path("status").asText() + ", " + state.path("aliveworkers").asInt() + " alive workers";
                if (state.path("status").asText().equals("ALIVE") && state.path("aliveworkers").asInt() >= count) {
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

    private void connect(int workers, Map<String, String> sparkConf) {
        SparkSession.getDefaultSession().foreach(previous -> {
            previous.stop(); // a session another test class left open would be reused with its local master
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        SparkSession.Builder builder = SparkSession.builder().master("spark://127.0.0.1:" + masterPort)
                .appName("StandaloneCluster")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.memory", EXECUTOR_MEMORY)
                .config("spark.executor.cores", "1")
                .config("spark.cores.max", Integer.toString(workers))
                .config("spark.executor.extraClassPath", classPath)
                .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector -XX:+UseG1GC")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.hadoop.fs.defaultFS", hdfsUri());
        sparkConf.forEach(builder::config);
        spark = builder.getOrCreate();
    }

    /** Kills every process started here, children first (the executors), and stops HDFS. */
    @Override
    public void close() {
        if (spark != null) {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
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
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(home)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(log);
                out.append("\n--- ").append(log.getFileName()).append(" (last 2000 chars)\n")
                        .append(text.substring(Math.max(0, text.length() - 2000)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Surefire runs tests from a manifest-only jar; the real class path is in surefire.test.class.path. */
    private static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
