package org.sparkbert.evaluate.perplexity;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.loop.TensorBoardRecorder;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.tensorboard.EventFile;
import org.sparkbert.evaluate.heldout.EncoderDiagnostics;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.heldout.CountBaselines;
import org.sparkbert.tokenize.heldout.HeldOutSplit;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code evaluate perplexity}: the masked-LM perplexity of a checkpoint on held-out text, exp of the
 * mean cross-entropy over masked positions. The checkpoint's own vocabulary encodes the text; each
 * sequence's mask is drawn from --seed and the sequence's key, so two checkpoints are scored on the
 * same masks. Executors score their partitions with the broadcast weights; the partial sums add up.
 *
 * <p>By default the held-out split is scored when the input has one: given an instances output with
 * {@code validation/}, its frozen masked positions, beside the unigram and two-neighbour count
 * baselines on the same positions and the encoder diagnostics (perplexity.json's {@code held_out});
 * given an ingest output, the text of its {@code validation/} pages.
 */
@Command(
        name = "perplexity",
        description = "Masked-LM perplexity (or pseudo-perplexity) of a checkpoint on held-out text.")
public final class PerplexityJob extends StageCommand {
    private static final Pattern STEP_DIRECTORY = Pattern.compile("step-(\\d+)");

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "CKPT_DIR",
            description =
                    "A checkpoint directory written by the train stage (config.json, model.safetensors, vocabulary).")
    String checkpoint;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "PATH",
            description =
                    "An instances output with validation/ (scores its frozen masks, with the count baselines), an ingest"
                            + " output (scores its validation/ pages), text files (documents separated by blank lines; *.tokens:"
                            + " WikiText articles) or a clean/ Parquet directory.")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description =
                    "Where perplexity.json, _REPORT.json and tensorboard/ (the figures as TensorBoard scalars) go.")
    String output;

    @Option(
            names = "--seed",
            defaultValue = "12345",
            paramLabel = "N",
            description = "Seed of the masks (compare checkpoints with the same seed). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--max-seq-length",
            defaultValue = "128",
            paramLabel = "N",
            description = "Tokens per scored sequence, [CLS] and [SEP] included. Default: ${DEFAULT-VALUE}.")
    int maxSeqLength;

    @Option(
            names = "--pseudo",
            description = "Pseudo-perplexity: mask every token in turn (one forward pass per token).")
    boolean pseudo;

    @Mixin
    BackendChoice backend = new BackendChoice();

    private ModelWeights weights;
    private HeldOutSplit split;

    public static void main(String[] args) {
        StageCommand.main(new PerplexityJob(), args);
    }

    @Override
    protected String stageName() {
        return "evaluate-perplexity";
    }

    @Override
    protected List<String> confFiles() {
        return List.of("evaluate.properties");
    }

    @Override
    protected String outputPath() {
        return output;
    }

    @Override
    protected Map<String, Object> arguments() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("checkpoint", checkpoint);
        a.put("input", input);
        a.put("seed", seed);
        a.put("max_seq_length", maxSeqLength);
        a.put("definition", definition());
        a.put("backend", backend.toString());
        return a;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        if (maxSeqLength < 3) {
            throw new UsageException(
                    "--max-seq-length must be at least 3 ([CLS], one token, [SEP]), not " + maxSeqLength);
        }
        if (settings.integer("evaluate.perplexity.batch_size") < 1) {
            throw new UsageException("evaluate.perplexity.batch_size must be at least 1");
        }
        try {
            Path in = new Path(StageOutput.uri(input));
            if (!in.getFileSystem(hadoopConf).exists(in)) {
                throw new UsageException("--input " + input + " does not exist");
            }
            weights = ModelWeights.read(StageOutput.uri(checkpoint).toString(), hadoopConf);
            split = HeldOutSplit.find(StageOutput.uri(input).toString(), hadoopConf);
            if (split != null && pseudo) {
                throw new UsageException(
                        "--pseudo masks every token of text in turn; give the ingest output (its validation/"
                                + " pages) rather than the instances " + input);
            }
        } catch (IOException e) {
            throw new UsageException("--checkpoint " + checkpoint + ": " + e.getMessage());
        }
        int positions = weights.config().maxPositionEmbeddings();
        if (maxSeqLength > positions) {
            throw new UsageException("--max-seq-length " + maxSeqLength + " exceeds the model's " + positions
                    + " positions (max_position_embeddings of " + checkpoint + ")");
        }
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput out, StageReport report) throws Exception {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Tokenizer tokenizer = Tokenizers.load(StageOutput.uri(checkpoint).toString(), conf, null);
        if (tokenizer.vocabularySize() != weights.config().vocabSize()) {
            throw new UsageException(checkpoint + ": the vocabulary has " + tokenizer.vocabularySize()
                    + " tokens but the model " + weights.config().vocabSize());
        }
        double probability = settings.number("evaluate.perplexity.mask_probability");
        int batchSize = settings.integer("evaluate.perplexity.batch_size");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelWeights> model = jsc.broadcast(weights);
        Broadcast<Tokenizer> vocabulary = jsc.broadcast(tokenizer);
        if (split != null && !pseudo) {
            scoreValidation(spark, settings, out, report, jsc, model, tokenizer);
            return;
        }
        String text = textInput(conf);
        JavaRDD<Document> documents = TextDocuments.read(spark, text);
        report.endPhase("load");

        int length = maxSeqLength;
        long maskSeed = seed;
        boolean everyToken = pseudo;
        BackendChoice on = backend;
        CrossEntropySum sum = documents
                .mapPartitions((Iterator<Document> docs) -> {
                    Tokenizer tok = vocabulary.value();
                    SequencePacker packer = new SequencePacker(tok, length);
                    Iterator<ScoringSequence> sequences = new FlatIterator<>(docs, packer::pack);
                    return List.of(score(
                                    model.value(),
                                    tok,
                                    sequences,
                                    length,
                                    probability,
                                    batchSize,
                                    maskSeed,
                                    everyToken,
                                    on))
                            .iterator();
                })
                .fold(CrossEntropySum.ZERO, CrossEntropySum::plus);
        report.endPhase("score");
        if (sum.positions() == 0) {
            throw new UsageException("--input " + input + " holds no token to score");
        }

        PerplexityResult result = new PerplexityResult(
                sum.perplexity(), stepOf(checkpoint), checkpoint, definition(), sum.positions(), seed);
        out.writeText(
                PerplexityResult.FILE_NAME,
                result.toJson(Map.of(
                        "scored",
                        "text " + text + ", masks drawn per sequence from the seed",
                        "mean_cross_entropy",
                        sum.meanNats())));
        // The held-out figures for TensorBoard too, at the checkpoint's training step, beside perplexity.json.
        long step = Math.max(0, result.step());
        try (EventFile events =
                EventFile.create(out.fileSystem(), new Path(out.work(), TensorBoardRecorder.DIRECTORY), step)) {
            Map<String, Double> scalars = new LinkedHashMap<>();
            scalars.put("heldout/" + (pseudo ? "pseudo_" : "") + "perplexity", result.perplexity());
            scalars.put("heldout/" + (pseudo ? "pseudo_" : "") + "cross_entropy", sum.meanNats());
            events.scalars(step, scalars);
        }
        report.count("tokens_scored", sum.positions());
        report.put("perplexity", result.perplexity());
        report.put("mean_cross_entropy", sum.meanNats());
        report.put("definition", definition());
        log.info(
                "evaluate perplexity: {} = {} over {} scored tokens ({})",
                definition(),
                result.perplexity(),
                sum.positions(),
                checkpoint);
    }

    /**
     * The validation instances of an instances output: the model's loss on their frozen masked positions,
     * both count baselines on the same positions (counts from the training instances beside them), and
     * the encoder diagnostics of a sample of their final hidden states.
     */
    private void scoreValidation(
            SparkSession spark,
            Settings settings,
            StageOutput out,
            StageReport report,
            JavaSparkContext jsc,
            Broadcast<ModelWeights> model,
            Tokenizer tokenizer)
            throws IOException {
        SpecialTokens specials = SpecialTokens.of(tokenizer);
        int[] specialIds = java.util.stream.IntStream.range(0, tokenizer.vocabularySize())
                .filter(specials::isSpecial)
                .toArray();
        // Read once: the baselines' contexts, the largest row and the scoring all come from these rows.
        JavaRDD<HeldOutSplit.ValidationRow> validation =
                split.validationRows(spark).cache();
        CountBaselines.Sums baselines =
                split.baselines(spark, tokenizer.vocabularySize(), specialIds, validation.collect());
        report.endPhase("baselines");
        int batchSize = settings.integer("evaluate.perplexity.batch_size");
        int length = maxSeqLength;
        int perRow = Math.max(1, validation.map(r -> r.positions().length).fold(0, Math::max));
        int sampleLimit = settings.integer("evaluate.diagnostics.vectors");
        Broadcast<Tokenizer> vocabulary = jsc.broadcast(tokenizer);
        List<ScoredPart> parts = validation
                .mapPartitions((Iterator<HeldOutSplit.ValidationRow> rows) -> {
                    ModelConfig config = model.value().config().withDropout(0f, 0f);
                    TaskContext task = TaskContext.get();
                    int threads =
                            task != null ? task.cpus() : Runtime.getRuntime().availableProcessors();
                    HiddenStateSample sample = new HiddenStateSample(sampleLimit);
                    try (BertModel bert = model.value()
                            .newModel(config, threads, batchSize, length, batchSize * perRow, 0, 0L, name -> false)) {
                        MaskedLmScorer scorer =
                                new MaskedLmScorer(bert, SpecialTokens.of(vocabulary.value()), null).sampling(sample);
                        while (rows.hasNext()) {
                            HeldOutSplit.ValidationRow r = rows.next();
                            scorer.addFrozen(r.inputIds(), r.tokenTypeIds(), r.positions(), r.labels());
                        }
                        return List.of(new ScoredPart(scorer.finish(), sample)).iterator();
                    }
                })
                .collect();
        validation.unpersist();
        CrossEntropySum sum = CrossEntropySum.ZERO;
        HiddenStateSample sample = new HiddenStateSample(sampleLimit);
        for (ScoredPart part : parts) {
            sum = sum.plus(part.sum());
            sample.append(part.sample());
        }
        report.endPhase("score");
        if (sum.positions() != baselines.positions) {
            throw new IllegalStateException("The model scored " + sum.positions() + " positions but the baselines "
                    + baselines.positions + ": they must see the same positions.");
        }
        if (sum.positions() == 0) {
            throw new UsageException(
                    "--input " + input + ": the validation instances hold no masked position to score");
        }
        EncoderDiagnostics diagnostics = EncoderDiagnostics.of(sample.vectors(), sample.sequences());
        Map<String, Object> heldOut = new LinkedHashMap<>();
        heldOut.put("split", "validation");
        heldOut.put("instances", split.validationPath());
        heldOut.put("positions", sum.positions());
        heldOut.put("model_nats", sum.meanNats());
        heldOut.put("unigram_nats", baselines.unigramMean());
        heldOut.put("neighbour_nats", baselines.neighbourMean());
        heldOut.put(
                "baselines",
                Map.of(
                        "unigram",
                        "add-one unigram of the ordinary tokens, counted on the training instances",
                        "neighbour",
                        "P(w | left, right neighbour), interpolated Witten-Bell backing off to the mean of P(w | left)"
                                + " and P(w | right), then the add-one unigram; counted on the training instances"));
        heldOut.put("anisotropy", diagnostics.anisotropy());
        heldOut.put("effective_rank", diagnostics.effectiveRank());
        heldOut.put("diagnostic_vectors", diagnostics.vectors());
        heldOut.put("hidden_size", weights.config().hiddenSize());
        PerplexityResult result = new PerplexityResult(
                sum.perplexity(), stepOf(checkpoint), checkpoint, definition(), sum.positions(), seed);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put(
                "scored", "validation split " + split.validationPath() + " (masks frozen when the instances were cut)");
        extra.put("mean_cross_entropy", sum.meanNats());
        extra.put("held_out", heldOut);
        out.writeText(PerplexityResult.FILE_NAME, result.toJson(extra));
        report.count("tokens_scored", sum.positions());
        report.put("perplexity", result.perplexity());
        report.put("mean_cross_entropy", sum.meanNats());
        report.put("held_out", heldOut);
        log.info(
                "evaluate perplexity on the validation split: {} nats (unigram {}, neighbours {}) over {} positions;"
                        + " anisotropy {}, effective rank {}",
                sum.meanNats(),
                baselines.unigramMean(),
                baselines.neighbourMean(),
                sum.positions(),
                diagnostics.anisotropy(),
                diagnostics.effectiveRank());
    }

    /** A partition's summed loss and its sample of hidden states. */
    private record ScoredPart(CrossEntropySum sum, HiddenStateSample sample) implements java.io.Serializable {}

    /** The text to score: an ingest output's held-out validation/ pages when the input is one, else the input itself. */
    private String textInput(Configuration conf) throws IOException {
        String uri = StageOutput.uri(input).toString();
        Path held = new Path(uri, org.sparkbert.tokenize.CleanCorpus.VALIDATION_FOLDER);
        return held.getFileSystem(conf).isDirectory(held) ? held.toString() : uri;
    }

    /**
     * Scores sequences in this process with a fresh dropout-free copy of the model: what each Spark
     * task does with its partition, and what a single-process check does with all the text.
     */
    public static CrossEntropySum score(
            ModelWeights weights,
            Tokenizer tokenizer,
            Iterator<ScoringSequence> sequences,
            int maxSeqLength,
            double probability,
            int batchSize,
            long seed,
            boolean pseudo) {
        return score(
                weights, tokenizer, sequences, maxSeqLength, probability, batchSize, seed, pseudo, BackendChoice.cpu());
    }

    /** As the method above, on the chosen backend. */
    public static CrossEntropySum score(
            ModelWeights weights,
            Tokenizer tokenizer,
            Iterator<ScoringSequence> sequences,
            int maxSeqLength,
            double probability,
            int batchSize,
            long seed,
            boolean pseudo,
            BackendChoice backend) {
        ModelConfig config = weights.config().withDropout(0f, 0f);
        int perRow = pseudo ? 1 : MaskedLmScorer.maxPredictions(probability, maxSeqLength);
        DynamicMasker masker = pseudo ? null : new DynamicMasker(tokenizer, probability, perRow, false, seed);
        TaskContext task = TaskContext.get();
        int threads = task != null ? task.cpus() : Runtime.getRuntime().availableProcessors();
        try (BertModel bert = weights.newModel(
                config, backend, threads, batchSize, maxSeqLength, batchSize * perRow, 0, 0L, name -> false)) {
            return new MaskedLmScorer(bert, SpecialTokens.of(tokenizer), masker).scoreAll(sequences);
        }
    }

    private String definition() {
        return pseudo ? PerplexityResult.PSEUDO : PerplexityResult.MLM;
    }

    /** The training step of a checkpoint directory named step-N, else -1. */
    static long stepOf(String checkpointDir) {
        Matcher m = STEP_DIRECTORY.matcher(new Path(checkpointDir).getName());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}
