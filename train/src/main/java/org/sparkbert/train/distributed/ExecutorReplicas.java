package org.sparkbert.train.distributed;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import org.sparkbert.engine.loop.Replica;

/**
 * The tree strategy's replicas, kept in each executor JVM from step to step so that the model and
 * its data are built once: keyed by run and partition. A new run closes the previous run's replicas.
 */
final class ExecutorReplicas {
    private static final Map<String, Replica> replicas = new HashMap<>();
    private static String currentRun;

    private ExecutorReplicas() {}

    static synchronized Replica get(String run, int partition, Supplier<Replica> open) {
        if (!run.equals(currentRun)) {
            release(currentRun);
            currentRun = run;
        }
        return replicas.computeIfAbsent(run + "/" + partition, k -> open.get());
    }

    static synchronized void release(String run) {
        if (run == null) {
            return;
        }
        Iterator<Map.Entry<String, Replica>> it = replicas.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Replica> e = it.next();
            if (e.getKey().startsWith(run + "/")) {
                e.getValue().close();
                it.remove();
            }
        }
        if (run.equals(currentRun)) {
            currentRun = null;
        }
    }
}
