package org.sparkbert.engine.backend;

import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * A fixed set of threads that run numbered tasks. Every task writes its own output range, so the
 * result never depends on which thread ran which task (or on how many threads there are): that is
 * what keeps the cpu backend bit-for-bit deterministic.
 */
final class WorkerPool implements AutoCloseable {
    private final int threads;
    private final Phaser phaser;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile IntConsumer body;
    private volatile int tasks;
    private volatile boolean closed;

    WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.phaser = new Phaser(threads);
        for (int t = 1; t < threads; t++) {
            Thread worker = new Thread(this::workerLoop, "cpu-backend-" + t);
            worker.setDaemon(true);
            worker.start();
        }
    }

    int threads() {
        return threads;
    }

    /** Runs body(0..tasks-1) across the pool and returns when all are done. */
    void run(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (threads == 1 || tasks == 1) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        this.body = body;
        this.tasks = tasks;
        next.set(0);
        phaser.arriveAndAwaitAdvance();
        drain();
        phaser.arriveAndAwaitAdvance();
        this.body = null;
        Throwable t = failure.getAndSet(null);
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    private void drain() {
        IntConsumer b = body;
        int n = tasks;
        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            try {
                b.accept(i);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    private void workerLoop() {
        while (true) {
            phaser.arriveAndAwaitAdvance();
            if (closed) return;
            drain();
            phaser.arriveAndAwaitAdvance();
        }
    }

    @Override
    public void close() {
        if (closed || threads == 1) return;
        closed = true;
        phaser.arriveAndAwaitAdvance();
    }
}
