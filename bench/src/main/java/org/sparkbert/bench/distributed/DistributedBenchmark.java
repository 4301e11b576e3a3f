package org.sparkbert.bench.distributed;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.bench.collective.AllReduceBenchmark;
import org.sparkbert.engine.collective.JobSecret;
import org.sparkbert.engine.collective.RingAllReduce;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.AdamMoments;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;
import org.sparkbert.train.distributed.AllReduceStrategy;
import org.sparkbert.train.distributed.BarrierAddressExchange;
import org.sparkbert.train.distributed.BertReplicaFactory;
import org.sparkbert.train.distributed.ClusterChecks;
import org.sparkbert.train.distributed.DistributedOptions;
import org.sparkbert.train.distributed.DistributedTrainer;
import org.sparkbert.train.distributed.LocalStandaloneCluster;
import org.sparkbert.train.distributed.TrainingResult;
import org.sparkbert.train.job.Instance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Data-parallel training on a real two-worker standalone cluster of this machine (a Master, two
 * Workers of one core, one executor JVM each, started from this class path): (1) the ring all-reduce
 * against a plain TCP copy of the same bytes between the same two executor JVMs, inside a barrier
 * stage; (2) BERT-mini training steps with the ring (the share of the step spent in all-reduce) and
 * with the tree strategy, and one replica for the compute alone. Prints Markdown tables
 * (docs/BENCHMARKS.md, "All-reduce on a standalone cluster").
 */
@Command(
        name = "DistributedBenchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "The ring against a plain copy, then BERT training steps, on a two-worker standalone cluster; Markdown tables.")
public final class DistributedBenchmark implements Callable<Integer> {

    @Option(
            names = "--floats",
            split = ",",
            defaultValue = "11267900",
            paramLabel = "N",
            description =
                    "Buffer sizes in floats of the ring-against-copy part. Default: ${DEFAULT-VALUE} (a BERT-mini gradient).")
    int[] floats;

    @Option(
            names = "--iterations",
            defaultValue = "10",
            paramLabel = "K",
            description = "Timed operations per size and method. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(
            names = "--steps",
            defaultValue = "6",
            paramLabel = "S",
            description =
                    "Training steps per strategy, the first not counted; 0: no training. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(
            names = "--batch-size",
            defaultValue = "8",
            paramLabel = "B",
            description = "Global batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--seq-length",
            defaultValue = "128",
            paramLabel = "T",
            description = "Tokens per sequence. Default: ${DEFAULT-VALUE}.")
    int seq;

    @Option(
            names = "--model",
            defaultValue = "bert-mini",
            paramLabel = "NAME",
            description = "A bundled model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--vocab", required = true, paramLabel = "DIR", description = "A directory with vocab.txt.")
    String vocab;

    @Option(
            names = "--executor-memory",
            defaultValue = "1500m",
            paramLabel = "SIZE",
            description = "spark.executor.memory of the two executors. Default: ${DEFAULT-VALUE}.")
    String executorMemory;

    DistributedBenchmark() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new DistributedBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        try (LocalStandaloneCluster cluster = LocalStandaloneCluster.start(
                System.getProperty("java.class.path"), 2, 1, "3g", Duration.ofMinutes(3))) {
            SparkSession.Builder builder = SparkSession.builder()
                    .master(cluster.masterUrl())
                    .appName("DistributedBenchmark")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.executor.memory", executorMemory)
                    .config("spark.executor.cores", "1")
                    .config("spark.cores.max", "2")
                    .config("spark.executor.extraClassPath", cluster.classPath())
                    .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector -XX:+UseG1GC");
            ClusterChecks.recommendedConf(Duration.ofMinutes(5)).forEach(builder::config);
            SparkSession spark = builder.getOrCreate();
            try {
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                while (jsc.sc().statusTracker().getExecutorInfos().length < 3) Thread.sleep(100);
                System.out.printf(
                        Locale.ROOT,
                        "cluster: standalone master + 2 workers (1 core each, executors %s), ready in %.1f s%n",
                        executorMemory,
                        (System.nanoTime() - start) / 1e9);
                ringAgainstCopy(jsc, floats, iterations);
                if (steps > 0) {
                    bertSteps(jsc, model, vocab, steps, batch, seq);
                }
            } finally {
                spark.stop();
            }
        }
        return 0;
    }

    private static void ringAgainstCopy(JavaSparkContext jsc, int[] floats, int iterations) {
        System.out.printf(
                Locale.ROOT,
                "%n### Ring all-reduce vs plain TCP copy between the two executor JVMs (inside a barrier stage)%n");
        System.out.printf(
                Locale.ROOT,
                "%d timed iterations per size after a JIT warm-up and 3 untimed ones; ring pieces %d KiB, "
                        + "reads and writes up to %d KiB%n",
                iterations,
                RingConfig.DEFAULT_SUB_CHUNK_BYTES >> 10,
                RingAllReduce.IO_BYTES >> 10);
        List<String> lines = jsc.parallelize(List.of(0, 1), 2)
                .rdd()
                .barrier()
                .mapPartitions(
                        new CopyTask(JobSecret.generate(), floats, iterations),
                        false,
                        ClassTag$.MODULE$.apply(String.class))
                .toJavaRDD()
                .collect();
        List<double[]> rows = new ArrayList<>();
        for (int n : floats) {
            rows.add(AllReduceBenchmark.combine(lines.stream()
                    .filter(l -> l.split(" ")[1].equals(Integer.toString(n)))
                    .toList()));
        }
        AllReduceBenchmark.printTables(rows);
    }

    private static void bertSteps(JavaSparkContext jsc, String model, String vocab, int steps, int batch, int seq)
            throws IOException {
        Tokenizer tokenizer = Tokenizers.load(vocab, new Configuration(), null);
        SpecialTokens specials = SpecialTokens.of(tokenizer);
        ModelConfig config = ModelConfig.bundled(model).withVocabSize(tokenizer.vocabularySize());
        int predictions = 20;
        DynamicMasker masker = new DynamicMasker(tokenizer, 0.15, predictions, false, 7);
        JavaRDD<Instance> instances =
                jsc.parallelize(instances(4 * batch, seq, tokenizer.vocabularySize(), specials), 2);
        int warmup = 1;
        System.out.printf(
                Locale.ROOT,
                "%n### %s training steps (global batch %d x %d tokens, AdamW, cpu backend, 1 thread per replica)%n",
                model,
                batch,
                seq);
        System.out.printf(Locale.ROOT, "%d steps per run, the first %d not counted%n%n", steps, warmup);
        System.out.println(
                "| strategy | replicas | s/step | all-reduce s/step | all-reduce share | tokens/s | gradient MB |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Object[] run :
                new Object[][] {{AllReduceStrategy.RING, 1}, {AllReduceStrategy.RING, 2}, {AllReduceStrategy.TREE, 2}
                }) {
            AllReduceStrategy strategy = (AllReduceStrategy) run[0];
            int replicas = (Integer) run[1];
            TrainingOptions options = new TrainingOptions(1e-4f, 0, steps, 1, 1.0f, 42);
            BertReplicaFactory factory = new BertReplicaFactory(
                    config,
                    "cpu",
                    "auto",
                    1,
                    "adamw",
                    0.01f,
                    AdamMoments.BERT,
                    options,
                    batch,
                    seq,
                    predictions,
                    masker,
                    specials.pad(),
                    null,
                    null);
            DistributedOptions distributed = DistributedOptions.of(replicas, strategy, steps, batch, 1)
                    .withLogEvery(1)
                    .withRing(RingConfig.defaults().withTimeout(Duration.ofMinutes(5)));
            TrainingResult result = DistributedTrainer.train(jsc.sc(), instances, factory, null, distributed);
            double[] times = result.meanTimes(warmup);
            long tokens = result.last().tokens();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.3f | %s | %s | %.0f | %.1f |%n",
                    strategy.label(),
                    replicas,
                    times[0],
                    Double.isNaN(times[1]) ? "n/a" : String.format(Locale.ROOT, "%.3f", times[1]),
                    Double.isNaN(times[1]) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * times[1] / times[0]),
                    tokens / times[0],
                    result.weights().length * 4 / 1e6);
        }
    }

    /** Random token sequences of exactly seq tokens: [CLS] A [SEP] B [SEP]. */
    private static List<Instance> instances(int count, int seq, int vocabSize, SpecialTokens specials) {
        SplittableRandom rng = new SplittableRandom(11);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int a = (seq - 3) / 2;
            int[] ids = new int[seq];
            int[] types = new int[seq];
            for (int j = 0; j < seq; j++) {
                ids[j] = 1000 + rng.nextInt(vocabSize - 1000);
                types[j] = j > a + 1 ? 1 : 0;
            }
            ids[0] = specials.cls();
            ids[a + 1] = specials.sep();
            ids[seq - 1] = specials.sep();
            out.add(new Instance(i, ids, types, rng.nextInt(2)));
        }
        return out;
    }

    /** One rank of the ring-vs-copy measurement in a barrier task. */
    private static final class CopyTask extends AbstractFunction1<Iterator<Integer>, Iterator<String>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final JobSecret secret;
        private final int[] floats;
        private final int iterations;

        CopyTask(JobSecret secret, int[] floats, int iterations) {
            this.secret = secret;
            this.floats = floats;
            this.iterations = iterations;
        }

        @Override
        public Iterator<String> apply(Iterator<Integer> ignored) {
            RingConfig config = RingConfig.defaults().withTimeout(Duration.ofMinutes(5));
            BarrierAddressExchange exchange = new BarrierAddressExchange(BarrierTaskContext.get());
            try (RingAllReduce ring = new RingAllReduce(secret, config)) {
                ring.connect(exchange);
                return CollectionConverters.asScala(
                        AllReduceBenchmark.measureRank(ring, exchange, config, floats, iterations)
                                .iterator());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
