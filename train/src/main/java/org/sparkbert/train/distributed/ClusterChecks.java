package org.sparkbert.train.distributed;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkExecutorInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is checked before a distributed run starts, so that a cluster which cannot run it gives a
 * clear error instead of a hang: barrier mode cannot run under dynamic allocation, and a barrier
 * stage of N tasks needs N free task slots at once.
 */
public final class ClusterChecks {
    private static final Logger log = LoggerFactory.getLogger(ClusterChecks.class);
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(?:,\\s*\\d+)?]");
    private static final Pattern LOCAL_CLUSTER =
            Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*\\d+\\s*]");

    private ClusterChecks() {}

    /**
     * How long a cancelled task may take to stop before the task reaper kills its executor JVM: long
     * enough for an interrupted task to unwind its I/O, short enough that a wedged one (a deadlock, a
     * stuck file-system call) gives its slot back to the retried barrier stage.
     */
    static final Duration TASK_KILL_TIMEOUT = Duration.ofSeconds(20);

    /**
     * Spark settings a run needs in place before its SparkContext starts (driver-side timeouts and
     * checks, and the executors' task reaper, which they read when they start).
     */
    public static Map<String, String> recommendedConf(Duration ringTimeout) {
        long barrierSeconds = Math.max(60, 2 * ringTimeout.toSeconds());
        return Map.of(
                // A task that ignores its kill (interrupt) is reaped: its executor JVM is killed, its slot freed.
                "spark.task.reaper.enabled", "true",
                "spark.task.reaper.killTimeout", TASK_KILL_TIMEOUT.toSeconds() + "s",
                // A barrier() or allGather() waits at most this long for the slowest replica (Spark's default is a
                // year).
                "spark.barrier.sync.timeout", Long.toString(barrierSeconds),
                // Spark's own slot check: fail a barrier job that cannot get its slots after 3 tries 5 s apart.
                "spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "5s",
                "spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "3");
    }

    /** Barrier stages are refused by Spark under dynamic allocation (SPARK-24954): say so before anything starts. */
    public static void refuseDynamicAllocation(SparkConf conf, AllReduceStrategy strategy) {
        if (strategy == AllReduceStrategy.RING && conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalStateException("the ring all-reduce runs as one Spark barrier stage, and Spark cannot run"
                    + " barrier stages with dynamic allocation: set spark.dynamicAllocation.enabled=false (and a fixed"
                    + " spark.executor.instances), or use --allreduce tree");
        }
    }

    /**
     * Waits up to {@code wait} for the executors to offer {@code replicas} task slots, and fails with
     * what the cluster offers when they do not.
     */
    public static void requireSlots(SparkContext sc, int replicas, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Slots slots = slots(sc);
        while (slots.total < replicas && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors");
            }
            slots = slots(sc);
        }
        if (slots.total < replicas) {
            throw new IllegalStateException(replicas + " replicas need " + replicas + " task slots at once (one per"
                    + " replica), but after waiting " + wait.toSeconds() + " s the cluster offers " + slots.total + " ("
                    + slots.description + "): add executors or cores, or lower --replicas");
        }
        log.info("distributed: {} task slots for {} replicas ({})", slots.total, replicas, slots.description);
    }

    public static void warnOnBarrierTimeout(SparkConf conf) {
        if (!conf.getBoolean("spark.task.reaper.enabled", false)) {
            log.warn("spark.task.reaper.enabled is not set: a replica that ignores its kill (a deadlock, a stuck"
                    + " file-system call) keeps its task slot, and with exactly one slot per replica the retried"
                    + " stage never starts; set it with spark.task.reaper.killTimeout (the launcher does)");
        }
        if (!conf.contains("spark.barrier.sync.timeout")) {
            log.warn("spark.barrier.sync.timeout is not set: a replica stuck before a barrier would hold the others for"
                    + " Spark's default of 365 days; set it to a few minutes (the launcher does)");
        }
    }

    private record Slots(int total, String description) {}

    private static Slots slots(SparkContext sc) {
        SparkConf conf = sc.getConf();
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        String master = sc.master();
        Matcher local = LOCAL.matcher(master);
        if (master.equals("local")) {
            return new Slots(1 / taskCpus, "local mode, 1 thread");
        }
        if (local.matches()) {
            int threads = local.group(1).equals("*")
                    ? Runtime.getRuntime().availableProcessors()
                    : Integer.parseInt(local.group(1));
            return new Slots(threads / taskCpus, "local mode, " + threads + " threads / spark.task.cpus " + taskCpus);
        }
        int executors = 0;
        for (SparkExecutorInfo info : sc.statusTracker().getExecutorInfos()) {
            executors++;
        }
        executors = Math.max(0, executors - 1); // the driver is listed too
        Matcher cluster = LOCAL_CLUSTER.matcher(master);
        int cores;
        if (conf.contains("spark.executor.cores")) {
            cores = conf.getInt("spark.executor.cores", 1) * executors;
        } else if (cluster.matches()) {
            cores = Integer.parseInt(cluster.group(2)) * executors;
        } else if (executors > 0 && !conf.contains("spark.default.parallelism")) {
            cores = sc.defaultParallelism(); // the registered executors' cores (at least 2)
        } else {
            cores = executors;
        }
        return new Slots(
                executors == 0 ? 0 : cores / taskCpus,
                executors + " executors, " + cores + " cores / spark.task.cpus " + taskCpus);
    }
}
