package org.sparkbert.evaluate.finetune;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.SentencePooling;
import org.sparkbert.evaluate.glue.GlueExample;
import org.sparkbert.evaluate.glue.GlueFormatException;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueSplit;
import org.sparkbert.evaluate.glue.GlueSubmissionWriter;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.glue.GlueTsvReader;
import org.sparkbert.evaluate.metrics.GlueMetrics;
import org.sparkbert.evaluate.metrics.GlueScore;
import org.sparkbert.evaluate.perplexity.BackendChoice;
import org.sparkbert.evaluate.perplexity.ModelWeights;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code evaluate glue}: fine-tunes a checkpoint on each GLUE task's training file and scores the dev
 * file(s) with the task's own metrics, writing {@code <TASK>.json}, {@code summary.json},
 * {@code summary.md}, and {@code submission/<NAME>.tsv} predictions for each task whose directory has
 * a test file. With {@code --baseline random-init} the same architecture is also fine-tuned from random
 * weights with the same data, seed and schedule, so the results show what pretraining bought. When STS-B
 * is among the tasks, zero-shot STS-B (no fine-tuning: cosine of mean-pooled sentence vectors, raw and
 * whitened) goes into the summary, with {@code --baseline} also that of the same architecture with random weights.
 * Fine-tuning runs in the driver with the training engine (the tasks are small; one model at a time).
 */
@Command(name = "glue", description = "Fine-tune a checkpoint on GLUE tasks and score their dev sets.")
public final class GlueJob extends StageCommand {
    static final String RANDOM_INIT = "random-init";
    static final String SUBMISSION_DIR = "submission";

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "CKPT_DIR",
            description = "A checkpoint written by the train stage.")
    String checkpoint;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "GLUE_DIR",
            description = "A GLUE data directory as download_glue_data.py lays it out (CoLA/, SST-2/, ...).")
    String data;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the results go.")
    String output;

    @Option(
            names = "--tasks",
            defaultValue = "all",
            paramLabel = "all|TASK,...",
            description =
                    "Tasks to run, e.g. CoLA,SST-2; all: every task with a directory under --data. Default: ${DEFAULT-VALUE}.")
    String tasks;

    @Option(
            names = "--epochs",
            defaultValue = "3",
            paramLabel = "N",
            description = "Epochs per task. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--lr",
            defaultValue = "5e-5",
            paramLabel = "RATE",
            description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(
            names = "--batch-size",
            defaultValue = "32",
            paramLabel = "N",
            description = "Examples per step. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of the classifier, the example order and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--seeds",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Fine-tune each arm with N seeds (--seed, --seed + 1, ...): <TASK>.json's metrics are the median"
                            + " seed's, beside every seed's score, the paired difference to the baseline with its 95%% t interval,"
                            + " and the runs that collapsed (all dev predictions one class). Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(
            names = "--lr-grid",
            split = ",",
            paramLabel = "RATE[,RATE...]",
            description =
                    "Choose each arm's learning rate from these, fine-tuning on the first 80%% of the training"
                            + " examples and scoring the last 20%% (never dev), then train on all of them. Default: --lr alone.")
    List<Float> lrGrid = new ArrayList<>();

    @Option(
            names = "--baseline",
            paramLabel = RANDOM_INIT,
            description = "Also fine-tune from random weights: random-init.")
    String baseline;

    @Option(
            names = "--max-train-examples",
            paramLabel = "N",
            description = "Train on the first N examples of each training file only (quick runs).")
    Integer maxTrainExamples;

    @Option(
            names = "--max-seq-length",
            defaultValue = "128",
            paramLabel = "N",
            description =
                    "Longest input, special tokens included; longer ones are truncated. Default: ${DEFAULT-VALUE}.")
    int maxSeqLength;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: the machine's cores.")
    Integer threads;

    @Mixin
    BackendChoice backend = new BackendChoice();

    @Option(
            names = "--head",
            defaultValue = "cls",
            paramLabel = "cls|mean",
            converter = HeadConverter.class,
            description =
                    "What the classifier reads: cls (BERT's pooler on [CLS]) or mean (the mean of the final hidden"
                            + " states over the tokens, the pooling sentence-transformers models such as all-MiniLM-L6-v2 were"
                            + " trained with). Default: ${DEFAULT-VALUE}.")
    SentencePooling head = SentencePooling.CLS;

    /** --head's value, with the engine's own error for a name it does not know. */
    static final class HeadConverter implements picocli.CommandLine.ITypeConverter<SentencePooling> {
        @Override
        public SentencePooling convert(String value) {
            return SentencePooling.parse(value);
        }
    }

    private ModelWeights weights;
    private final List<GlueTask> selected = new ArrayList<>();

    public static void main(String[] args) {
        StageCommand.main(new GlueJob(), args);
    }

    @Override
    protected String stageName() {
        return "evaluate-glue";
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
        a.put("data", data);
        a.put("tasks", tasks);
        a.put("epochs", epochs);
        a.put("lr", lr);
        if (!lrGrid.isEmpty()) a.put("lr_grid", lrGrid);
        a.put("seeds", seeds);
        a.put("batch_size", batchSize);
        a.put("seed", seed);
        a.put("baseline", baseline == null ? "none" : baseline);
        a.put("max_train_examples", maxTrainExamples == null ? "all" : maxTrainExamples);
        a.put("max_seq_length", maxSeqLength);
        a.put("backend", backend.toString());
        a.put("head", head.name().toLowerCase(java.util.Locale.ROOT));
        return a;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        if (epochs < 1 || batchSize < 1 || !(lr > 0) || maxSeqLength < 5 || (threads != null && threads < 1)) {
            throw new UsageException(
                    "--epochs, --batch-size and --threads must be at least 1, --lr positive, --max-seq-length at least 5");
        }
        if (seeds < 1) throw new UsageException("--seeds must be at least 1, not " + seeds);
        for (float rate : lrGrid) {
            if (!(rate > 0)) throw new UsageException("--lr-grid: every rate must be positive, not " + rate);
        }
        if (maxTrainExamples != null && maxTrainExamples < 1) {
            throw new UsageException("--max-train-examples must be at least 1");
        }
        if (baseline != null && !baseline.equals(RANDOM_INIT)) {
            throw new UsageException("--baseline takes '" + RANDOM_INIT + "', not '" + baseline + "'");
        }
        try {
            weights = ModelWeights.read(StageOutput.uri(checkpoint).toString(), hadoopConf);
            selectTasks(new Path(StageOutput.uri(data)), hadoopConf);
        } catch (IOException e) {
            throw new UsageException("--checkpoint " + checkpoint + " / --data " + data + ": " + e.getMessage());
        }
        if (maxSeqLength > weights.config().maxPositionEmbeddings()) {
            throw new UsageException("--max-seq-length " + maxSeqLength + " exceeds the model's "
                    + weights.config().maxPositionEmbeddings() + " positions");
        }
    }

    /** "all": every task whose directory exists; a named task must have its directory. */
    private void selectTasks(Path glueDir, Configuration conf) throws IOException {
        FileSystem fs = glueDir.getFileSystem(conf);
        if (!fs.exists(glueDir) || !fs.getFileStatus(glueDir).isDirectory()) {
            throw new UsageException("--data " + data + " is not a directory");
        }
        boolean all = tasks.trim().equalsIgnoreCase("all");
        List<GlueTask> wanted = new ArrayList<>();
        if (all) {
            wanted.addAll(List.of(GlueTask.values()));
        } else {
            for (String name : tasks.split(",")) {
                try {
                    wanted.add(GlueTask.fromName(name.trim()));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--tasks: " + e.getMessage());
                }
            }
        }
        for (GlueTask task : wanted) {
            if (fs.exists(new Path(glueDir, task.train().relativePath()))) {
                selected.add(task);
            } else if (!all) {
                throw new UsageException(
                        "--tasks " + task + ": no " + task.train().relativePath() + " under --data " + data);
            }
        }
        if (selected.isEmpty()) {
            throw new UsageException("--data " + data + " holds none of the tasks to run (" + tasks + ")");
        }
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput out, StageReport report) throws Exception {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path glueDir = new Path(StageOutput.uri(data));
        FileSystem fs = glueDir.getFileSystem(conf);
        Tokenizer tokenizer = Tokenizers.load(StageOutput.uri(checkpoint).toString(), conf, null);
        ModelConfig config = weights.config();
        if (tokenizer.vocabularySize() != config.vocabSize()) {
            throw new UsageException(checkpoint + ": the vocabulary has " + tokenizer.vocabularySize()
                    + " tokens but the model " + config.vocabSize());
        }
        PairEncoder encoder = new PairEncoder(tokenizer, maxSeqLength);
        FineTuneOptions options = new FineTuneOptions(
                epochs,
                lr,
                batchSize,
                settings.number("evaluate.glue.warmup_proportion"),
                (float) settings.number("evaluate.glue.weight_decay"),
                (float) settings.number("evaluate.glue.clip_norm"),
                seed,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                backend,
                head);
        GlueSummary summary = new GlueSummary();
        for (GlueTask task : selected) {
            TaskOutcome outcome = runTask(task, fs, glueDir, encoder, config, options, out, report);
            GlueResult result = outcome.result();
            out.writeText(
                    GlueResult.fileName(task),
                    outcome.study() == null ? result.toJson() : outcome.study().withJson(result.toJson()));
            if (outcome.study() != null) summary.seeds(outcome.study());
            summary.add(result);
            report.put(task.displayName() + "_score", result.score());
            if (result.hasBaseline()) {
                report.put(task.displayName() + "_baseline_score", result.baselineScore());
            }
            report.endPhase(task.displayName());
        }
        if (selected.contains(GlueTask.STSB)) {
            List<GlueExample> dev = read(fs, glueDir, GlueTask.STSB.devSplits().get(0));
            ZeroShotSimilarity.Result zero = zeroShotStsb(dev, encoder, options, name -> false);
            summary.zeroShot(zero);
            reportZeroShot(report, "", "checkpoint", zero);
            if (baseline != null) {
                ZeroShotSimilarity.Result random = zeroShotStsb(dev, encoder, options, name -> true);
                summary.zeroShotBaseline(random);
                reportZeroShot(report, "_baseline", RANDOM_INIT, random);
            }
            report.endPhase("zero_shot_stsb");
        }
        out.writeText(GlueSummary.JSON_FILE, summary.toJson());
        out.writeText(GlueSummary.MARKDOWN_FILE, summary.toMarkdown());
        report.put("glue_average", summary.average().value());
    }

    private record TaskOutcome(GlueResult result, SeedStudy study) {}

    private TaskOutcome runTask(
            GlueTask task,
            FileSystem fs,
            Path glueDir,
            PairEncoder encoder,
            ModelConfig config,
            FineTuneOptions options,
            StageOutput out,
            StageReport report)
            throws IOException {
        List<GlueExample> train = read(fs, glueDir, task.train());
        if (maxTrainExamples != null && train.size() > maxTrainExamples) {
            train = train.subList(0, maxTrainExamples);
        }
        List<List<GlueExample>> dev = new ArrayList<>();
        for (GlueSplit split : task.devSplits()) {
            dev.add(read(fs, glueDir, split));
        }
        Map<GlueSplit, List<GlueExample>> test = new LinkedHashMap<>();
        for (GlueSplit split : task.testSplits()) {
            if (fs.exists(new Path(glueDir, split.relativePath()))) {
                test.put(split, read(fs, glueDir, split));
            }
        }
        List<EncodedPair> trainPairs = encoder.encodeAll(train);
        List<List<EncodedPair>> devPairs = dev.stream().map(encoder::encodeAll).toList();
        Map<GlueSplit, List<EncodedPair>> testPairs = new LinkedHashMap<>();
        test.forEach((split, rows) -> testPairs.put(split, encoder.encodeAll(rows)));
        List<List<EncodedPair>> all = new ArrayList<>(devPairs);
        all.add(trainPairs);
        all.addAll(testPairs.values());
        int seqLength = longest(all);
        report.count(task.displayName() + "_train_examples", train.size());
        report.count(
                task.displayName() + "_dev_examples",
                dev.stream().mapToInt(List::size).sum());
        log.info(
                "evaluate glue: {}: {} training and {} dev examples, {} test examples, sequences of up to {} tokens",
                task,
                train.size(),
                dev.stream().mapToInt(List::size).sum(),
                test.values().stream().mapToInt(List::size).sum(),
                seqLength);

        Arm pretrained = runArm(
                weights,
                "pretrained",
                task,
                config,
                train,
                trainPairs,
                dev,
                devPairs,
                seqLength,
                encoder,
                options,
                test,
                testPairs,
                out);
        Arm random = baseline == null
                ? null
                : runArm(
                        null,
                        RANDOM_INIT,
                        task,
                        config,
                        train,
                        trainPairs,
                        dev,
                        devPairs,
                        seqLength,
                        encoder,
                        options,
                        Map.of(),
                        testPairs,
                        out);
        GlueResult result = random == null
                ? GlueResult.withoutBaseline(task, pretrained.medianMetrics())
                : new GlueResult(task, pretrained.medianMetrics(), RANDOM_INIT, random.medianMetrics());
        if (seeds > 1 || !lrGrid.isEmpty()) {
            SeedStudy study = new SeedStudy(task, pretrained, random);
            study.putInto(report);
            log.info("evaluate glue: {}", study.line());
            return new TaskOutcome(result, study);
        }
        return new TaskOutcome(result, null);
    }

    /**
     * One arm (the checkpoint's weights, or random ones for {@code start} null): its learning rate from
     * --lr-grid on a training slice, then --seeds fine-tunings scored on dev. Test submissions come from
     * the first seed's model.
     */
    private Arm runArm(
            ModelWeights start,
            String what,
            GlueTask task,
            ModelConfig config,
            List<GlueExample> train,
            List<EncodedPair> trainPairs,
            List<List<GlueExample>> dev,
            List<List<EncodedPair>> devPairs,
            int seqLength,
            PairEncoder encoder,
            FineTuneOptions options,
            Map<GlueSplit, List<GlueExample>> test,
            Map<GlueSplit, List<EncodedPair>> testPairs,
            StageOutput out)
            throws IOException {
        LearningRateChoice.Choice choice =
                LearningRateChoice.choose(lrGrid.isEmpty() ? List.of(lr) : lrGrid, train.size(), (rate, fit) -> {
                    List<GlueExample> slice = train.subList(fit, train.size());
                    List<EncodedPair> slicePairs = trainPairs.subList(fit, train.size());
                    try (SequenceClassifier tuned = fineTune(
                            start,
                            task,
                            config,
                            train.subList(0, fit),
                            trainPairs.subList(0, fit),
                            seqLength,
                            encoder,
                            options.withLearningRate(rate),
                            what + ", choosing the rate")) {
                        boolean mnli = task == GlueTask.MNLI; // its metrics want a matched and a mismatched list
                        double score = GlueScore.taskScore(
                                task,
                                devMetrics(
                                        task,
                                        tuned,
                                        mnli ? List.of(slice, slice) : List.of(slice),
                                        mnli ? List.of(slicePairs, slicePairs) : List.of(slicePairs)));
                        log.info(
                                "evaluate glue: {} ({}) lr {} scores {} on the last {} training examples",
                                task,
                                what,
                                rate,
                                String.format(Locale.ROOT, "%.4f", score),
                                slice.size());
                        return score;
                    }
                });
        List<Map<String, Double>> runs = new ArrayList<>();
        boolean[] collapsed = new boolean[seeds];
        for (int i = 0; i < seeds; i++) {
            try (SequenceClassifier tuned = fineTune(
                    start,
                    task,
                    config,
                    train,
                    trainPairs,
                    seqLength,
                    encoder,
                    options.withLearningRate(choice.learningRate()).withSeed(seed + i),
                    what)) {
                runs.add(devMetrics(task, tuned, dev, devPairs));
                collapsed[i] = !task.isRegression()
                        && Arrays.stream(tuned.predictLabels(devPairs.get(0)))
                                        .distinct()
                                        .count()
                                == 1;
                if (i == 0) {
                    for (Map.Entry<GlueSplit, List<GlueExample>> e : test.entrySet()) {
                        writeSubmission(e.getKey(), e.getValue(), tuned, testPairs.get(e.getKey()), out);
                    }
                }
            }
            log.info(
                    "evaluate glue: {} dev {} ({}, lr {}, seed {}{})",
                    task,
                    format(runs.get(i)),
                    what,
                    choice.learningRate(),
                    seed + i,
                    collapsed[i] ? ", collapsed to one class" : "");
        }
        return new Arm(
                what,
                choice,
                seed,
                runs.stream().mapToDouble(m -> GlueScore.taskScore(task, m)).toArray(),
                runs,
                collapsed);
    }

    /**
     * STS-B dev scored by the cosine of mean-pooled sentence vectors, raw and whitened: the checkpoint's
     * ({@code keepFresh} none), or those of the same architecture with random weights from the job's seed
     * ({@code keepFresh} all), which shows how much of the score pretraining bought.
     */
    private ZeroShotSimilarity.Result zeroShotStsb(
            List<GlueExample> dev, PairEncoder encoder, FineTuneOptions options, Predicate<String> keepFresh) {
        return ZeroShotSimilarity.evaluate(
                weights,
                options.seed(),
                keepFresh,
                dev,
                encoder,
                options.backend(),
                options.threads(),
                options.batchSize());
    }

    /** Puts the figures into _REPORT.json; {@code suffix} "_baseline" marks random init's, as in {@code <TASK>_baseline_score}. */
    private void reportZeroShot(StageReport report, String suffix, String model, ZeroShotSimilarity.Result zero) {
        report.put("zero_shot_stsb_spearmanr_raw" + suffix, zero.spearmanRaw());
        report.put("zero_shot_stsb_spearmanr_whitened" + suffix, zero.spearmanWhitened());
        log.info(
                "evaluate glue: zero-shot STS-B dev Spearman {} raw, {} whitened ({})",
                zero.spearmanRaw(),
                zero.spearmanWhitened(),
                model);
    }

    private static SequenceClassifier fineTune(
            ModelWeights start,
            GlueTask task,
            ModelConfig config,
            List<GlueExample> train,
            List<EncodedPair> pairs,
            int seqLength,
            PairEncoder encoder,
            FineTuneOptions options,
            String what) {
        if (task.isRegression()) {
            float[] targets = new float[train.size()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = (float) train.get(i).score();
            }
            return SequenceClassifier.fineTune(
                    start,
                    config,
                    1,
                    pairs,
                    null,
                    targets,
                    seqLength,
                    encoder.padId(),
                    options,
                    task + " (" + what + ")");
        }
        int[] labels = train.stream().mapToInt(GlueExample::label).toArray();
        return SequenceClassifier.fineTune(
                start,
                config,
                task.numLabels(),
                pairs,
                labels,
                null,
                seqLength,
                encoder.padId(),
                options,
                task + " (" + what + ")");
    }

    /** The task's own dev metrics: MNLI over its matched and mismatched files, STS-B on scores. */
    private static Map<String, Double> devMetrics(
            GlueTask task, SequenceClassifier tuned, List<List<GlueExample>> dev, List<List<EncodedPair>> devPairs) {
        if (task.isRegression()) {
            double[] gold = dev.get(0).stream().mapToDouble(GlueExample::score).toArray();
            return GlueMetrics.regression(gold, tuned.predictScores(devPairs.get(0)));
        }
        if (task == GlueTask.MNLI) {
            return GlueMetrics.mnli(
                    gold(dev.get(0)),
                    tuned.predictLabels(devPairs.get(0)),
                    gold(dev.get(1)),
                    tuned.predictLabels(devPairs.get(1)));
        }
        return GlueMetrics.classification(task, gold(dev.get(0)), tuned.predictLabels(devPairs.get(0)));
    }

    private static int[] gold(List<GlueExample> examples) {
        return examples.stream().mapToInt(GlueExample::label).toArray();
    }

    private static void writeSubmission(
            GlueSplit split, List<GlueExample> rows, SequenceClassifier tuned, List<EncodedPair> pairs, StageOutput out)
            throws IOException {
        Path file = new Path(out.work(), SUBMISSION_DIR + "/" + split.submissionFileName());
        try (OutputStream stream = out.fileSystem().create(file)) {
            if (split.task().isRegression()) {
                GlueSubmissionWriter.writeScores(split, rows, tuned.predictScores(pairs), stream);
            } else {
                GlueSubmissionWriter.writeLabels(split, rows, tuned.predictLabels(pairs), stream);
            }
        }
    }

    private static List<GlueExample> read(FileSystem fs, Path glueDir, GlueSplit split) throws IOException {
        Path file = new Path(glueDir, split.relativePath());
        try (InputStream in = fs.open(file)) {
            return GlueTsvReader.read(split, in, file.toString());
        } catch (GlueFormatException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static int longest(List<List<EncodedPair>> lists) {
        int longest = 2;
        for (List<EncodedPair> list : lists) {
            for (EncodedPair p : list) {
                longest = Math.max(longest, p.length());
            }
        }
        return longest;
    }

    private static String format(Map<String, Double> metrics) {
        StringBuilder s = new StringBuilder();
        metrics.forEach(
                (k, v) -> s.append(s.isEmpty() ? "" : ", ").append(k).append(String.format(Locale.ROOT, " %.4f", v)));
        return s.toString();
    }
}
