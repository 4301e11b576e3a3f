package org.sparkbert.ingest;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;

/**
 * Names each step in the Spark UI (the job description) and in the log, with its number, and keeps
 * the CPU time this JVM spent in each step: in local mode that is the driver and the executors
 * together (the figure the benchmark compares); on a cluster only the driver's share.
 */
final class Progress {
    private final SparkSession spark;
    private final Logger log;
    private final int steps;
    private final Map<String, Double> cpuSeconds = new LinkedHashMap<>();
    private int step;
    private String current;
    private long cpuAtBegin = -1;

    Progress(SparkSession spark, Logger log, int steps) {
        this.spark = spark;
        this.log = log;
        this.steps = steps;
    }

    /** @param phase the step's key in the report's timings; @param what its name in the log and the Spark UI */
    void begin(String phase, String what) {
        endStep();
        current = phase;
        cpuAtBegin = processCpuNanos();
        step++;
        String name = "ingest " + step + "/" + steps + ": " + what;
        spark.sparkContext().setJobDescription(name);
        log.info("{}", name);
    }

    void done() {
        endStep();
        spark.sparkContext().setJobDescription(null);
    }

    /** Process CPU seconds per step, in step order (empty where the JVM does not tell). */
    Map<String, Double> cpuSeconds() {
        return cpuSeconds;
    }

    private void endStep() {
        long now = processCpuNanos();
        if (current != null && cpuAtBegin >= 0 && now >= 0) {
            cpuSeconds.put(current, (now - cpuAtBegin) / 1e9);
        }
        current = null;
    }

    private static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime()
                : -1;
    }
}
