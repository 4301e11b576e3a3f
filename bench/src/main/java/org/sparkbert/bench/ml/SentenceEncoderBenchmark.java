package org.sparkbert.bench.ml;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.checkpoint.Checkpoint;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.checkpoint.ModelExport;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.perplexity.ModelWeights;
import org.sparkbert.ml.SentenceEncoder;
import org.sparkbert.ml.TextTokenizer;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.instances.SentenceSplitter;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * Sentences per second (and per core) of the ml module's TextTokenizer then SentenceEncoder on real
 * C4 sentences in Spark local mode, and of the peer: the same tokenizer and the engine's own
 * forward pass in a plain loop, no Spark, over the same sentences, same batch and padding, same cores.
 * Prints one JSON object.
 *
 * <pre>SentenceEncoderBenchmark --data DIR [--model bert-mini] [--sentences 2000] [--cores 2] [--batch 32]
 *                          [--max-length 64] [--runs 3]</pre>
 *
 * The model is the bundled configuration over BERT's uncased vocabulary, randomly initialised (the
 * speed does not depend on the weights). Each side runs once untimed (JIT, model layout), then
 * {@code runs} timed passes, the two sides alternating; the figures are the best and the median pass.
 */
public final class SentenceEncoderBenchmark {
    private static final String C4 = "c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl";

    public static void main(String[] args) throws Exception {
        Path data = null;
        String model = "bert-mini";
        int sentences = 2000, cores = 2, batch = 32, maxLength = 64, runs = 3;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) throw new IllegalArgumentException(args[i] + " needs a value");
            switch (args[i]) {
                case "--data" -> data = Path.of(v);
                case "--model" -> model = v;
                case "--sentences" -> sentences = Integer.parseInt(v);
                case "--cores" -> cores = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--max-length" -> maxLength = Integer.parseInt(v);
                case "--runs" -> runs = Integer.parseInt(v);
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + " (--data DIR --model NAME --sentences N --cores N --batch N --max-length N --runs N)");
            }
        }
        if (data == null)
            throw new IllegalArgumentException("--data DIR (the shared data: c4/ and bert/vocab.txt) is required");
        String vocab = data.resolve("bert").toString();
        List<String> texts = c4Sentences(data.resolve(C4), sentences);
        Path work = Files.createTempDirectory("ml-encode");
        String checkpoint = randomCheckpoint(model, vocab, work);

        double[] ours = new double[runs],
                peer = new double[runs],
                oursCpu = new double[runs],
                peerCpu = new double[runs];
        SparkSession spark = SparkSession.builder()
                .master("local[" + cores + "]")
                .appName("ml-encode")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try (EngineLoop loop = new EngineLoop(texts, vocab, checkpoint, cores, batch, maxLength)) {
            SparkPass pass = new SparkPass(spark, texts, vocab, checkpoint, cores, batch, maxLength);
            // One untimed pass each (JIT, model layout), then the two alternate, so that a change in the
            // machine's load (it is shared) falls on both alike.
            for (int r = -1; r < runs; r++) {
                double cpu0 = processCpuSeconds();
                double a = pass.seconds();
                double cpu1 = processCpuSeconds();
                double b = loop.seconds();
                double cpu2 = processCpuSeconds();
                if (r >= 0) {
                    ours[r] = a;
                    peer[r] = b;
                    oursCpu[r] = cpu1 - cpu0;
                    peerCpu[r] = cpu2 - cpu1;
                }
            }
        } finally {
            spark.stop();
        }

        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("model", model);
        out.put("sentences", texts.size());
        out.put(
                "mean_characters",
                texts.stream().mapToInt(String::length).average().orElse(0));
        out.put("cores", cores);
        out.put("batch", batch);
        out.put("max_length", maxLength);
        out.put("runs", runs);
        figures(out.putObject("ours_spark_ml"), ours, oursCpu, texts.size(), cores);
        figures(out.putObject("peer_engine_loop"), peer, peerCpu, texts.size(), cores);
        out.put("load_average", Files.readString(Path.of("/proc/loadavg")).strip());
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    }

    /**
     * The JVM's user + system CPU time, all threads: on a shared machine it shows what a pass costs
     * whatever share of the cores it got (the JVM is otherwise idle between passes).
     */
    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean)
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }

    private static void figures(ObjectNode o, double[] seconds, double[] cpuSeconds, int sentences, int cores) {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double best = sorted[0], median = sorted[sorted.length / 2];
        o.put("best_seconds", best);
        o.put("median_seconds", median);
        o.put("sentences_per_second_best", sentences / best);
        o.put("sentences_per_second_per_core_best", sentences / best / cores);
        o.put("sentences_per_second_per_core_median", sentences / median / cores);
        double[] cpu = cpuSeconds.clone();
        Arrays.sort(cpu);
        o.put("cpu_seconds_median", cpu[cpu.length / 2]);
        o.put("sentences_per_cpu_second_median", sentences / cpu[cpu.length / 2]);
    }

    /** Tokenizer then encoder as a user's Spark job runs them: local[cores], one single-threaded model per task. */
    private static final class SparkPass {
        private final Dataset<Row> df;
        private final TextTokenizer tokenizer;
        private final SentenceEncoder encoder;

        SparkPass(
                SparkSession spark,
                List<String> texts,
                String vocab,
                String checkpoint,
                int cores,
                int batch,
                int maxLength) {
            df = spark.createDataset(texts, Encoders.STRING())
                    .toDF("text")
                    .repartition(cores)
                    .cache();
            df.count();
            tokenizer = new TextTokenizer().setVocabDir(vocab).setMaxLength(maxLength);
            encoder = new SentenceEncoder()
                    .setCheckpointDir(checkpoint)
                    .setMaxLength(maxLength)
                    .setBatchSize(batch)
                    .setThreads(1);
        }

        double seconds() {
            long start = System.nanoTime();
            double sum = encoder.transform(tokenizer.transform(df))
                    .select("embedding")
                    .javaRDD()
                    .map(row -> ((Vector) row.get(0)).apply(0))
                    .reduce(Double::sum);
            if (!Double.isFinite(sum)) throw new IllegalStateException("non-finite sentence vectors");
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** The peer: the same tokenizer and layout, the engine's forward with {@code cores} threads, mean pooling; no Spark. */
    private static final class EngineLoop implements AutoCloseable {
        private final List<String> texts;
        private final Tokenizer tokenizer;
        private final SpecialTokens specials;
        private final BertModel model;
        private final int batch, maxLength, h;

        EngineLoop(List<String> texts, String vocab, String checkpoint, int cores, int batch, int maxLength)
                throws IOException {
            this.texts = texts;
            this.batch = batch;
            this.maxLength = maxLength;
            tokenizer = Tokenizers.load(vocab, new Configuration(), null);
            specials = SpecialTokens.of(tokenizer);
            ModelWeights weights = ModelWeights.read(checkpoint, new Configuration());
            ModelConfig config = weights.config().withDropout(0f, 0f);
            h = config.hiddenSize();
            model = weights.newModel(config, cores, batch, maxLength, batch, 0, 0L, name -> false);
        }

        double seconds() {
            long start = System.nanoTime();
            double sum = 0;
            for (int from = 0; from < texts.size(); from += batch) {
                int b = Math.min(batch, texts.size() - from);
                int[] ids = new int[b * maxLength], types = new int[b * maxLength], attention = new int[b * maxLength];
                int[] lengths = new int[b];
                for (int i = 0; i < b; i++) {
                    int[] tokens = tokenizer.encode(texts.get(from + i));
                    if (tokens.length > maxLength - 2) tokens = Arrays.copyOf(tokens, maxLength - 2);
                    lengths[i] = tokens.length + 2;
                    int base = i * maxLength;
                    Arrays.fill(ids, base, base + maxLength, specials.pad());
                    ids[base] = specials.cls();
                    System.arraycopy(tokens, 0, ids, base + 1, tokens.length);
                    ids[base + lengths[i] - 1] = specials.sep();
                    Arrays.fill(attention, base, base + lengths[i], 1);
                }
                model.forward(
                        new Batch(b, maxLength, ids, types, attention, new int[0], new int[0], new int[b]), 0, 0, 0f);
                float[] hidden = model.hiddenStates();
                for (int i = 0; i < b; i++) {
                    double first = 0; // mean pooling, as the encoder's default; one dimension kept as the checksum
                    for (int pos = 0; pos < lengths[i]; pos++) first += hidden[(i * maxLength + pos) * h];
                    sum += first / lengths[i];
                }
            }
            if (!Double.isFinite(sum)) throw new IllegalStateException("non-finite sentence vectors");
            return (System.nanoTime() - start) / 1e9;
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** The first {@code count} sentences of 8 to 400 characters in the C4 sample, whitespace runs as one space. */
    private static List<String> c4Sentences(Path file, int count) throws IOException {
        ObjectMapper json = new ObjectMapper();
        SentenceSplitter splitter = new SentenceSplitter();
        List<String> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null && out.size() < count; ) {
                for (SentenceSplitter.Sentence s :
                        splitter.split(json.readTree(line).get("text").asText())) {
                    String text = s.text().replaceAll("\\s+", " ").strip();
                    if (text.length() >= 8 && text.length() <= 400 && out.size() < count) out.add(text);
                }
            }
        }
        if (out.size() < count) throw new IOException(file + " holds only " + out.size() + " sentences, not " + count);
        return out;
    }

    /** The bundled model over the vocabulary, randomly initialised, written as a checkpoint directory. */
    private static String randomCheckpoint(String model, String vocab, Path parent) throws IOException {
        Tokenizer tokenizer = Tokenizers.load(vocab, new Configuration(), null);
        ModelConfig config = ModelConfig.bundled(model).withVocabSize(tokenizer.vocabularySize());
        try (BertModel m = new BertModel(config, Backends.cpu(1), 1, 8, 1, 0)) {
            m.initialize(17);
            Checkpoint checkpoint = new Checkpoint(
                    config,
                    ModelExport.tensors(m),
                    SpecialTokens.of(tokenizer).pad(),
                    new org.apache.hadoop.fs.Path(Path.of(vocab).toUri()),
                    Map.of());
            FileSystem fs = FileSystem.getLocal(new Configuration());
            return new CheckpointWriter(fs, new org.apache.hadoop.fs.Path(parent.toUri()))
                    .write(0, checkpoint)
                    .toString();
        }
    }
}
