package org.sparkbert.train.distributed;

import java.io.Serializable;
import java.time.Duration;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.loop.RunPlan;

/**
 * How a distributed run is laid out.
 *
 * @param replicas model replicas, one Spark task each (ring) or one partition each (tree)
 * @param strategy how gradients are summed
 * @param steps optimiser steps of the whole run (a resumed run continues up to it)
 * @param globalBatch sequences per optimiser step over all replicas
 * @param accumulate micro-batches per replica per step
 * @param checkpointEvery steps between checkpoints (0: only the final one); ignored without a store
 * @param checkpointMinutes minutes of training between checkpoints (0: none by time); ignored without a store
 * @param logEvery steps between progress lines
 * @param evaluateEvery steps between held-out evaluations where the factory has a held-out set (0: after the last only)
 * @param ring the ring's tuning; its timeout bounds every blocking read, write, connect and accept
 * @param slotWait how long to wait for executors to offer a slot per replica before giving up
 */
public record DistributedOptions(
        int replicas,
        AllReduceStrategy strategy,
        long steps,
        int globalBatch,
        int accumulate,
        long checkpointEvery,
        double checkpointMinutes,
        int logEvery,
        long evaluateEvery,
        RingConfig ring,
        Duration slotWait)
        implements Serializable {

    public static final Duration DEFAULT_SLOT_WAIT = Duration.ofSeconds(60);

    public DistributedOptions {
        if (replicas < 1) throw new IllegalArgumentException("--replicas must be at least 1, got " + replicas);
        if (steps < 1 || globalBatch < 1 || accumulate < 1 || logEvery < 1) {
            throw new IllegalArgumentException("steps, batch size, accumulate and log interval must be at least 1");
        }
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every cannot be negative");
        if (globalBatch % ((long) replicas * accumulate) != 0) {
            throw new IllegalArgumentException(
                    "--batch-size " + globalBatch + " is not a multiple of --replicas " + replicas
                            + " x --accumulate " + accumulate + ": every replica trains on the same number of sequences"
                            + " per micro-batch (try --batch-size "
                            + ((long) replicas
                                    * accumulate
                                    * Math.max(1, Math.round((double) globalBatch / replicas / accumulate)))
                            + ")");
        }
    }

    public static DistributedOptions of(
            int replicas, AllReduceStrategy strategy, long steps, int globalBatch, int accumulate) {
        return new DistributedOptions(
                replicas,
                strategy,
                steps,
                globalBatch,
                accumulate,
                0,
                0,
                50,
                0,
                RingConfig.defaults(),
                DEFAULT_SLOT_WAIT);
    }

    /** Sequences in one micro-batch of one replica. */
    public int microBatch() {
        return globalBatch / replicas / accumulate;
    }

    public DistributedOptions withStrategy(AllReduceStrategy s) {
        return new DistributedOptions(
                replicas,
                s,
                steps,
                globalBatch,
                accumulate,
                checkpointEvery,
                checkpointMinutes,
                logEvery,
                evaluateEvery,
                ring,
                slotWait);
    }

    public DistributedOptions withReplicas(int n) {
        return new DistributedOptions(
                n,
                strategy,
                steps,
                globalBatch,
                accumulate,
                checkpointEvery,
                checkpointMinutes,
                logEvery,
                evaluateEvery,
                ring,
                slotWait);
    }

    public DistributedOptions withCheckpointEvery(long k) {
        return new DistributedOptions(
                replicas,
                strategy,
                steps,
                globalBatch,
                accumulate,
                k,
                checkpointMinutes,
                logEvery,
                evaluateEvery,
                ring,
                slotWait);
    }

    public DistributedOptions withCheckpointMinutes(double minutes) {
        return new DistributedOptions(
                replicas,
                strategy,
                steps,
                globalBatch,
                accumulate,
                checkpointEvery,
                minutes,
                logEvery,
                evaluateEvery,
                ring,
                slotWait);
    }

    public DistributedOptions withEvaluateEvery(long k) {
        return new DistributedOptions(
                replicas,
                strategy,
                steps,
                globalBatch,
                accumulate,
                checkpointEvery,
                checkpointMinutes,
                logEvery,
                k,
                ring,
                slotWait);
    }

    public DistributedOptions withLogEvery(int n) {
        return new DistributedOptions(
                replicas,
                strategy,
                steps,
                globalBatch,
                accumulate,
                checkpointEvery,
                checkpointMinutes,
                n,
                evaluateEvery,
                ring,
                slotWait);
    }

    public DistributedOptions withRing(RingConfig config) {
        return new DistributedOptions(
                replicas,
                strategy,
                steps,
                globalBatch,
                accumulate,
                checkpointEvery,
                checkpointMinutes,
                logEvery,
                evaluateEvery,
                config,
                slotWait);
    }

    public DistributedOptions withSlotWait(Duration wait) {
        return new DistributedOptions(
                replicas,
                strategy,
                steps,
                globalBatch,
                accumulate,
                checkpointEvery,
                checkpointMinutes,
                logEvery,
                evaluateEvery,
                ring,
                wait);
    }

    /** The engine loop's plan of this run. */
    public RunPlan plan() {
        return new RunPlan(steps, logEvery, checkpointEvery, checkpointMinutes, RunPlan.DEFAULT_MAX_NON_FINITE_STEPS);
    }
}
