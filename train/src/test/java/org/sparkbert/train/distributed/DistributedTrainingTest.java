package org.sparkbert.train.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.collective.JobSecret;
import org.sparkbert.engine.collective.RingAllReduce;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.loop.BertReplica;
import org.sparkbert.engine.loop.ReplicaCheckpoints;
import org.sparkbert.train.job.Instance;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The Spark shell of data-parallel training on a real standalone cluster (a Master, two Workers and
 * their executor JVMs, started from the test class path) with checkpoints on HDFS, driving a
 * stand-in engine whose steps are exact functions of the data order.
 */
class DistributedTrainingTest {
    private static final int DIM = 16;
    private static final int BATCH = 8;
    private static final Duration RING_TIMEOUT = Duration.ofSeconds(30);
    private static StandaloneCluster cluster;
    private static JavaSparkContext jsc;
    private static JavaRDD<LinearEngine.Sample> samples;
    private static int runs;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = StandaloneCluster.start(2, ClusterChecks.recommendedConf(RING_TIMEOUT));
        jsc = JavaSparkContext.fromSparkContext(cluster.spark().sparkContext());
        // Where the trainer writes each replica's records (DurableRecords), as the train stage does.
        jsc.setCheckpointDir(cluster.hdfsUri() + "/spark-checkpoints");
        samples = jsc.parallelize(LinearEngine.samples(4 * BATCH, DIM, 7), 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    private static DistributedOptions options(int replicas, AllReduceStrategy strategy, long steps, int accumulate) {
        return DistributedOptions.of(replicas, strategy, steps, BATCH, accumulate)
                .withLogEvery(10)
                .withRing(RingConfig.defaults().withTimeout(RING_TIMEOUT));
    }

    private static TrainingResult train(
            DistributedOptions options, int accumulate, long stepMillis, LinearCheckpoints checkpoints)
            throws IOException {
        return DistributedTrainer.train(
                jsc.sc(),
                samples,
                new LinearEngine.Factory(DIM, BATCH, accumulate, 0.05f, stepMillis),
                checkpoints,
                options);
    }

    private static LinearCheckpoints freshCheckpoints() {
        return new LinearCheckpoints(cluster.hdfsUri() + "/runs/run-" + (runs++) + "/checkpoints");
    }

    @Test
    void twoReplicasTrainOnTheRing() throws IOException {
        TrainingResult ring = train(options(2, AllReduceStrategy.RING, 20, 1), 1, 0, freshCheckpoints());
        assertEquals(20, ring.steps().size());
        assertEquals(0, ring.attempt());
        assertEquals(DIM, ring.weights().length);
        assertTrue(ring.last().loss() < 0.5 * ring.steps().get(0).loss(), "the loss falls: " + ring.steps());
        assertEquals(BATCH, ring.last().tokens());
        assertFalse(Double.isNaN(ring.last().allReduceSeconds()));
    }

    @Test
    void ringAndTreeGiveTheSameWeights() throws IOException {
        TrainingResult ring = train(options(2, AllReduceStrategy.RING, 20, 2), 2, 0, null);
        TrainingResult tree = train(options(2, AllReduceStrategy.TREE, 20, 2), 2, 0, null);
        assertEquals(20, tree.steps().size());
        assertClose(ring.weights(), tree.weights(), 1e-5);
        for (int i = 0; i < 20; i++) {
            assertEquals(
                    ring.steps().get(i).loss(),
                    tree.steps().get(i).loss(),
                    1e-5 * ring.steps().get(i).loss());
        }
    }

    @Test
    void twoReplicasMatchOneAtTheSameGlobalBatch() throws IOException {
        TrainingResult one = train(options(1, AllReduceStrategy.RING, 20, 1), 1, 0, null);
        TrainingResult two = train(options(2, AllReduceStrategy.RING, 20, 1), 1, 0, null);
        assertClose(one.weights(), two.weights(), 1e-5);
    }

    @Test
    void aKilledExecutorResumesFromTheCheckpointWithIdenticalWeights() throws Exception {
        DistributedOptions opts = options(2, AllReduceStrategy.RING, 40, 1).withCheckpointEvery(5);
        TrainingResult uninterrupted = train(opts, 1, 0, freshCheckpoints());
        LinearCheckpoints checkpoints = freshCheckpoints();
        TrainingResult resumed = killAnExecutorDuring(() -> train(opts, 1, 150, checkpoints), checkpoints, 10);
        assertEquals(40 - resumed.resumedFrom(), resumed.steps().size());
        assertArrayEquals(uninterrupted.weights(), resumed.weights(), "bit-identical to the uninterrupted run");
    }

    /** The same with the BERT engine and its full checkpoints (weights, AdamW moments, trainer state) on HDFS. */
    @Test
    void aKilledExecutorResumesBertFromHdfsWithIdenticalWeights() throws Exception {
        TinyBert bert = new TinyBert();
        int batch = 8;
        long steps = 30;
        JavaRDD<Instance> instances =
                jsc.parallelize(bert.instances(40, 3).stream().toList(), 2);
        DistributedOptions opts = DistributedOptions.of(2, AllReduceStrategy.RING, steps, batch, 1)
                .withLogEvery(10)
                .withCheckpointEvery(5)
                .withRing(RingConfig.defaults().withTimeout(RING_TIMEOUT));
        SlowBert.Checkpoints first = new SlowBert.Checkpoints(
                bert.checkpoints(cluster.hdfsUri() + "/runs/bert-whole/checkpoints", 40, batch));
        TrainingResult uninterrupted = DistributedTrainer.train(
                jsc.sc(), instances, new SlowBert.Factory(bert.factory(batch, 1, steps), 0), first, opts);
        SlowBert.Checkpoints second = new SlowBert.Checkpoints(
                bert.checkpoints(cluster.hdfsUri() + "/runs/bert-killed/checkpoints", 40, batch));
        TrainingResult resumed = killAnExecutorDuring(
                () -> DistributedTrainer.train(
                        jsc.sc(), instances, new SlowBert.Factory(bert.factory(batch, 1, steps), 250), second, opts),
                second,
                10);
        assertArrayEquals(uninterrupted.weights(), resumed.weights(), "bit-identical to the uninterrupted run");
    }

    /**
     * Rank 1 wedges outside the ring at step 7 of the first attempt, deaf to interrupts. Rank 0's
     * all-reduce times out (5 s), the stage fails, Spark interrupts rank 1 in vain, and the task
     * reaper kills its executor after {@link ClusterChecks#TASK_KILL_TIMEOUT}; with exactly two slots
     * the retried stage can start only then. It resumes from the checkpoint of step 5 and finishes
     * in that first retry: the replicas read their records from the copy on HDFS (DurableRecords),
     * not from shuffle files of the killed executor. Before that copy a retry failed to fetch them
     * on one rank while Spark left the other in allGather until spark.barrier.sync.timeout (60 s),
     * and only the second retry trained (152 s in all).
     */
    @Test
    void aRankStuckOutsideTheRingEndsInARetriedStage() throws Exception {
        DistributedOptions opts = options(2, AllReduceStrategy.RING, 20, 1)
                .withCheckpointEvery(5)
                .withRing(RingConfig.defaults().withTimeout(Duration.ofSeconds(5)));
        LinearCheckpoints checkpoints = freshCheckpoints();
        TrainingResult resumed = DistributedTrainer.train(
                jsc.sc(),
                samples,
                new LinearEngine.Factory(DIM, BATCH, 1, 0.05f, 0).withStuckRank(1, 7),
                checkpoints,
                opts);
        assertEquals(1, resumed.attempt(), "the first retry of the barrier stage trained");
        assertEquals(5, resumed.resumedFrom());
        assertEquals(15, resumed.steps().size());
    }

    private interface Training {
        TrainingResult run() throws IOException;
    }

    /**
     * Starts the training, waits for a checkpoint of at least {@code killAfter} steps, kills one
     * executor JVM (kill -9 of its process id) and returns what the run ends with, after checking
     * that Spark retried the barrier stage and the replicas resumed from a checkpoint.
     */
    private static TrainingResult killAnExecutorDuring(
            Training training, ReplicaCheckpoints<?> checkpoints, long killAfter) throws Exception {
        CompletableFuture<TrainingResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return training.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        TrainingResult resumed;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (checkpoints.latestStep().orElse(0) < killAfter && System.nanoTime() < deadline && !run.isDone()) {
                Thread.sleep(100);
            }
            assertTrue(checkpoints.latestStep().orElse(0) >= killAfter, "training reached step " + killAfter);
            assertFalse(run.isDone(), "training still runs when the executor is killed");
            List<ProcessHandle> executors = cluster.executors();
            assertEquals(2, executors.size(), "two executor JVMs");
            assertTrue(
                    executors.get(0).destroyForcibly(),
                    "kill -9 of executor " + executors.get(0).pid());
            resumed = run.get(3, TimeUnit.MINUTES);
        } finally {
            if (!run.isDone()) jsc.cancelAllJobs();
        }
        assertEquals(1, resumed.attempt(), "the first retry of the barrier stage trained");
        assertTrue(resumed.resumedFrom() >= killAfter, "resumed from " + resumed.resumedFrom());
        return resumed;
    }

    @Test
    void bertRingMatchesTreeAndOneReplica() throws IOException {
        TinyBert bert = new TinyBert();
        int batch = 8;
        long steps = 20;
        JavaRDD<Instance> instances =
                jsc.parallelize(bert.instances(40, 3).stream().toList(), 2);
        BertCheckpoints checkpoints = bert.checkpoints(cluster.hdfsUri() + "/runs/bert/checkpoints", 40, batch);
        DistributedOptions ring = DistributedOptions.of(2, AllReduceStrategy.RING, steps, batch, 2)
                .withLogEvery(10)
                .withCheckpointEvery(10)
                .withRing(RingConfig.defaults().withTimeout(RING_TIMEOUT));
        TrainingResult two =
                DistributedTrainer.train(jsc.sc(), instances, bert.factory(batch, 2, steps), checkpoints, ring);
        TrainingResult tree = DistributedTrainer.train(
                jsc.sc(), instances, bert.factory(batch, 2, steps), null, ring.withStrategy(AllReduceStrategy.TREE));
        TrainingResult one = DistributedTrainer.train(
                jsc.sc(),
                instances,
                bert.factory(batch, 1, steps),
                null,
                DistributedOptions.of(1, AllReduceStrategy.RING, steps, batch, 1));

        assertEquals(steps, two.steps().size());
        assertTrue(two.last().loss() > 0 && two.last().tokens() > 0);
        assertEquals(java.util.List.of(10L, 20L), checkpoints.store().steps(), "checkpoints on HDFS");
        double moved = maxDifference(initialWeights(bert, batch), two.weights());
        double treeDiff = maxDifference(two.weights(), tree.weights());
        double oneDiff = maxDifference(two.weights(), one.weights());
        double scale = maxAbs(two.weights());
        assertTrue(treeDiff <= 1e-5 * scale, "ring vs tree: " + treeDiff + " of " + scale);
        assertTrue(oneDiff <= 1e-5 * scale, "2 replicas vs 1: " + oneDiff + " of " + scale);
        assertTrue(moved > 1000 * Math.max(treeDiff, oneDiff), "training moved the weights by " + moved);
    }

    private static float[] initialWeights(TinyBert bert, int batch) {
        try (BertReplica r = bert.factory(batch, 1, 20).open(-1, 1, java.util.List.of())) {
            return r.weights();
        }
    }

    private static double maxDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }

    @Test
    void tooFewSlotsIsAClearErrorNotAHang() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> DistributedTrainer.train(
                        jsc.sc(),
                        samples,
                        new LinearEngine.Factory(DIM, 6, 1, 0.05f, 0),
                        null,
                        DistributedOptions.of(3, AllReduceStrategy.RING, 5, 6, 1)
                                .withSlotWait(Duration.ofSeconds(2))));
        assertTrue(e.getMessage().contains("3 replicas need 3 task slots"), e.getMessage());
    }

    @Test
    void dynamicAllocationAndUnevenBatchesAreRefused() {
        SparkConf dynamic = new SparkConf().set("spark.dynamicAllocation.enabled", "true");
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> ClusterChecks.refuseDynamicAllocation(dynamic, AllReduceStrategy.RING));
        assertTrue(e.getMessage().contains("dynamic allocation"), e.getMessage());
        ClusterChecks.refuseDynamicAllocation(dynamic, AllReduceStrategy.TREE);
        IllegalArgumentException uneven = assertThrows(
                IllegalArgumentException.class, () -> DistributedOptions.of(3, AllReduceStrategy.RING, 5, 8, 1));
        assertTrue(uneven.getMessage().contains("not a multiple of --replicas 3"), uneven.getMessage());
    }

    @Test
    void aPeerWithTheWrongSecretIsRefusedAcrossExecutors() {
        JavaRDD<Integer> two = jsc.parallelize(List.of(0, 1), 2);
        Exception e = assertThrows(
                Exception.class,
                () -> two.rdd()
                        .barrier()
                        .mapPartitions(
                                new MixedSecrets(JobSecret.generate(), JobSecret.generate()),
                                false,
                                ClassTag$.MODULE$.apply(String.class))
                        .toJavaRDD()
                        .collect());
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("job's secret") || message.contains("same job secret"), message);
    }

    /** Rank 1 holds another secret than rank 0: both connections must be refused. */
    private static final class MixedSecrets extends AbstractFunction1<Iterator<Integer>, Iterator<String>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final JobSecret zero;
        private final JobSecret one;

        MixedSecrets(JobSecret zero, JobSecret one) {
            this.zero = zero;
            this.one = one;
        }

        @Override
        public Iterator<String> apply(Iterator<Integer> ignored) {
            BarrierTaskContext context = BarrierTaskContext.get();
            JobSecret secret = context.partitionId() == 0 ? zero : one;
            try (RingAllReduce ring =
                    new RingAllReduce(secret, RingConfig.defaults().withTimeout(Duration.ofSeconds(20)))) {
                ring.connect(new BarrierAddressExchange(context));
                return CollectionConverters.asScala(List.of("connected").iterator());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    static void assertClose(float[] expected, float[] actual, double relative) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        for (float x : expected) scale = Math.max(scale, Math.abs(x));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], relative * scale, "weight " + i);
        }
    }

    static SparkContext context() {
        return jsc.sc();
    }
}
