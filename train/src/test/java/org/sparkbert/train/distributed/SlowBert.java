package org.sparkbert.train.distributed;

import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import org.sparkbert.engine.loop.BertReplica;
import org.sparkbert.engine.loop.Replica;
import org.sparkbert.engine.loop.ReplicaCheckpoints;
import org.sparkbert.engine.loop.ReplicaGroup;
import org.sparkbert.engine.loop.StepSummary;
import org.sparkbert.train.job.Instance;

/** BERT replicas that sleep before each step, so that a test can kill an executor mid-run. */
final class SlowBert {
    private SlowBert() {}

    static final class Factory implements ReplicaFactory<Instance, Replica> {
        private static final long serialVersionUID = 1L;
        private final BertReplicaFactory inner;
        private final long stepMillis;

        Factory(BertReplicaFactory inner, long stepMillis) {
            this.inner = inner;
            this.stepMillis = stepMillis;
        }

        @Override
        public int replicaOf(long index, int replicas) {
            return inner.replicaOf(index, replicas);
        }

        @Override
        public Replica open(int rank, int replicas, List<Indexed<Instance>> records) {
            return new Replica(inner.open(rank, replicas, records), stepMillis);
        }
    }

    static final class Replica implements org.sparkbert.engine.loop.Replica {
        final BertReplica inner;
        private final long stepMillis;

        Replica(BertReplica inner, long stepMillis) {
            this.inner = inner;
            this.stepMillis = stepMillis;
        }

        @Override
        public StepSummary step(long step, ReplicaGroup group) throws IOException {
            try {
                Thread.sleep(stepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.step(step, group);
        }

        @Override
        public float[] statistics(long step) {
            return inner.statistics(step);
        }

        @Override
        public float[] localGradients(long step, float[] summed) {
            return inner.localGradients(step, summed);
        }

        @Override
        public StepSummary apply(long step, float[] summed) {
            return inner.apply(step, summed);
        }

        @Override
        public float[] weights() {
            return inner.weights();
        }

        @Override
        public void setWeights(float[] weights) {
            inner.setWeights(weights);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    static final class Checkpoints implements ReplicaCheckpoints<Replica> {
        private static final long serialVersionUID = 1L;
        final BertCheckpoints inner;

        Checkpoints(BertCheckpoints inner) {
            this.inner = inner;
        }

        @Override
        public OptionalLong latestStep() throws IOException {
            return inner.latestStep();
        }

        @Override
        public void restore(long step, Replica replica) throws IOException {
            inner.restore(step, replica.inner);
        }

        @Override
        public void save(long step, Replica replica) throws IOException {
            inner.save(step, replica.inner);
        }
    }
}
