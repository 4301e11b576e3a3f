package org.sparkbert.train.distributed;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed tests' cluster: a {@link LocalStandaloneCluster} (a Master and Workers of one core
 * each, started from the Maven test class path on 127.0.0.1), a SparkSession connected to it with
 * its executors registered, and a MiniDFSCluster for checkpoints. One per test class: start in
 * {@code @BeforeAll}, {@link #close()} in {@code @AfterAll}.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandaloneCluster.class);
    private static final String EXECUTOR_MEMORY = "512m";

    private MiniDFSCluster hdfs;
    private LocalStandaloneCluster spark;
    private SparkSession session;

    static StandaloneCluster start(int workers, Map<String, String> sparkConf) throws Exception {
        StandaloneCluster cluster = new StandaloneCluster();
        try {
            long t0 = System.nanoTime();
            Configuration conf = new Configuration();
            conf.set(
                    MiniDFSCluster.HDFS_MINIDFS_BASEDIR,
                    Files.createTempDirectory("distributed-hdfs").toString());
            cluster.hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
            cluster.hdfs.waitActive();
            long t1 = System.nanoTime();
            cluster.spark = LocalStandaloneCluster.start(testClassPath(), workers, 1, "1g", Duration.ofSeconds(120));
            long t2 = System.nanoTime();
            cluster.connect(workers, sparkConf);
            cluster.awaitExecutors(workers, Duration.ofSeconds(120));
            log.info(String.format(
                    "standalone cluster: HDFS %.1f s, master and %d workers %.1f s, %d executors %.1f s",
                    (t1 - t0) / 1e9, workers, (t2 - t1) / 1e9, workers, (System.nanoTime() - t2) / 1e9));
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    SparkSession spark() {
        return session;
    }

    String hdfsUri() {
        return hdfs.getURI().toString();
    }

    List<ProcessHandle> executors() {
        return spark.executors();
    }

    private void connect(int workers, Map<String, String> sparkConf) {
        SparkSession.getDefaultSession().foreach(previous -> {
            previous.stop(); // a session another test class left open would be reused with its local master
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        SparkSession.Builder builder = SparkSession.builder()
                .master(spark.masterUrl())
                .appName("StandaloneCluster")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.memory", EXECUTOR_MEMORY)
                .config("spark.executor.cores", "1")
                .config("spark.cores.max", Integer.toString(workers))
                .config("spark.executor.extraClassPath", spark.classPath())
                .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector -XX:+UseG1GC")
                .config("spark.sql.shuffle.partitions", "2");
        sparkConf.forEach(builder::config);
        session = builder.getOrCreate();
    }

    /** Waits until the application has its executors (the first job would otherwise wait for them). */
    private void awaitExecutors(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (session.sparkContext().statusTracker().getExecutorInfos().length < count + 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the application got no " + count + " executors in "
                        + timeout.toSeconds() + " s: " + spark.logs());
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        if (session != null) {
            session.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
        if (spark != null) {
            spark.close();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    /** Surefire runs tests from a manifest-only jar; the real class path is in surefire.test.class.path. */
    private static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
    }
}
