package org.sparkbert.train.distributed;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.sparkbert.engine.loop.Replica;
import org.sparkbert.engine.loop.ReplicaGroup;
import org.sparkbert.engine.loop.StepSummary;
import org.sparkbert.train.distributed.ReplicaFactory.Indexed;

/**
 * A stand-in training engine for the Spark shell's tests: linear regression with SGD and momentum,
 * whose replicas follow the run's data order exactly as the BERT engine does (record i is in shard
 * i mod B, global micro-batch g takes shards [g*micro, (g+1)*micro), replica r owns global
 * micro-batches [r*accumulate, (r+1)*accumulate)), so that a step is a pure function of (weights,
 * momentum, step) whatever the replica count.
 */
final class LinearEngine {
    private LinearEngine() {}

    record Sample(long id, float[] x, float y) implements Serializable {}

    static List<Sample> samples(int count, int dim, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] truth = new float[dim];
        for (int j = 0; j < dim; j++) truth[j] = (float) rng.nextGaussian();
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] x = new float[dim];
            float y = 0;
            for (int j = 0; j < dim; j++) {
                x[j] = (float) rng.nextGaussian();
                y += truth[j] * x[j];
            }
            out.add(new Sample(i, x, y + 0.1f * (float) rng.nextGaussian()));
        }
        return out;
    }

    static final class Factory implements ReplicaFactory<Sample, Replica> {
        private static final long serialVersionUID = 1L;
        final int dim;
        final int globalBatch;
        final int accumulate;
        final float lr;
        final long stepMillis;
        /** A rank that wedges before step {@link #stuckStep} on the stage's first attempt, or -1. */
        final int stuckRank;

        final long stuckStep;

        Factory(int dim, int globalBatch, int accumulate, float lr, long stepMillis) {
            this(dim, globalBatch, accumulate, lr, stepMillis, -1, -1);
        }

        private Factory(
                int dim, int globalBatch, int accumulate, float lr, long stepMillis, int stuckRank, long stuckStep) {
            this.dim = dim;
            this.globalBatch = globalBatch;
            this.accumulate = accumulate;
            this.lr = lr;
            this.stepMillis = stepMillis;
            this.stuckRank = stuckRank;
            this.stuckStep = stuckStep;
        }

        /** The same, with {@code rank} stuck outside the ring, deaf to interrupts, at {@code step} of attempt 0. */
        Factory withStuckRank(int rank, long step) {
            return new Factory(dim, globalBatch, accumulate, lr, stepMillis, rank, step);
        }

        @Override
        public int replicaOf(long index, int replicas) {
            int shard = (int) (index % globalBatch);
            return (int) ((long) shard * replicas / globalBatch);
        }

        @Override
        public Replica open(int rank, int replicas, List<Indexed<Sample>> records) {
            return new Replica(this, rank, replicas, records);
        }
    }

    static final class Replica implements org.sparkbert.engine.loop.Replica {
        private final Factory f;
        private final int rank;
        private final int micro;
        private final List<Indexed<Sample>> records;
        float[] w;
        float[] v;

        Replica(Factory f, int rank, int replicas, List<Indexed<Sample>> records) {
            this.f = f;
            this.rank = rank;
            this.micro = f.globalBatch / replicas / f.accumulate;
            this.records = records;
            w = new float[f.dim];
            v = new float[f.dim];
        }

        @Override
        public StepSummary step(long step, ReplicaGroup group) throws IOException {
            if (rank == f.stuckRank
                    && step == f.stuckStep
                    && org.apache.spark.TaskContext.get().stageAttemptNumber() == 0) {
                wedge();
            }
            float[] buf = localGradients(step, new float[0]);
            group.allReduce(buf, 0, buf.length);
            return apply(step, buf);
        }

        /**
         * Like a deadlock or a stuck file-system call: ignores interrupts, so only the task reaper
         * (killing the executor JVM) ends it. Bounded so that a broken reaper fails the test, not the build.
         */
        private static void wedge() {
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ignored) {
                    // Deaf to Spark's interrupt on purpose.
                }
            }
        }

        @Override
        public float[] statistics(long step) {
            return new float[0];
        }

        /** [gradient sum (dim) | loss sum | samples] over this replica's micro-batches, in shard order. */
        @Override
        public float[] localGradients(long step, float[] summedStatistics) {
            if (f.stepMillis > 0) {
                try {
                    Thread.sleep(f.stepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int perShard = records.size() / (micro * f.accumulate);
            float[] buf = new float[f.dim + 2];
            // records are sorted by index: the ones of shard k are k, k+B, k+2B, ...; this replica's shards are
            // contiguous
            int shards = micro * f.accumulate;
            int firstShard = rank * shards;
            for (int s = 0; s < shards; s++) {
                int position = (int) (step % perShard);
                Sample x = records.get(position * shards + s).record();
                long expected = firstShard + s + (long) position * f.globalBatch;
                if (records.get(position * shards + s).index() != expected) {
                    throw new IllegalStateException("replica " + rank + " holds record "
                            + records.get(position * shards + s).index() + " where the data order puts " + expected);
                }
                float r = -x.y();
                for (int j = 0; j < f.dim; j++) r += w[j] * x.x()[j];
                for (int j = 0; j < f.dim; j++) buf[j] += r * x.x()[j];
                buf[f.dim] += 0.5f * r * r;
                buf[f.dim + 1] += 1;
            }
            return buf;
        }

        @Override
        public StepSummary apply(long step, float[] summed) {
            float n = summed[f.dim + 1];
            for (int j = 0; j < f.dim; j++) {
                v[j] = 0.9f * v[j] + summed[j] / n;
                w[j] -= f.lr * v[j];
            }
            return new StepSummary(step + 1, summed[f.dim] / n, (long) n, 0, Double.NaN);
        }

        @Override
        public float[] weights() {
            return w.clone();
        }

        @Override
        public void setWeights(float[] weights) {
            w = weights.clone();
        }

        @Override
        public void close() {}
    }
}
