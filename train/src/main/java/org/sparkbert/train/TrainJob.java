package org.sparkbert.train;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;
import org.sparkbert.train.checkpoint.Checkpoint;
import org.sparkbert.train.checkpoint.CheckpointWriter;
import org.sparkbert.train.engine.opencl.Backends;
import org.sparkbert.train.loop.StepMetrics;
import org.sparkbert.train.loop.Trainer;
import org.sparkbert.train.loop.TrainingOptions;
import org.sparkbert.train.job.BatchAssembler;
import org.sparkbert.train.job.BatchStream;
import org.sparkbert.train.job.Instance;
import org.sparkbert.train.job.InstanceTable;
import org.sparkbert.train.job.IntervalMeter;
import org.sparkbert.train.job.MaskedTokenEntropy;
import org.sparkbert.train.job.MetricsFile;
import org.sparkbert.train.job.ModelExport;
import org.sparkbert.train.job.ProgressRecord;
import org.sparkbert.train.model.Batch;
import org.sparkbert.train.model.BertModel;
import org.sparkbert.train.model.ModelConfig;
import org.sparkbert.train.optim.Optimizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The train stage, one replica in this process: reads the instances stage's output, masks every
 * instance afresh per epoch, trains the model of {@code --model} with the engine, logs a progress
 * line per interval and the same in metrics.jsonl, and writes the final checkpoint
 * (RUN_DIR/checkpoints/step-NNNNNN/, loadable by Hugging Face transformers).
 */
@Command(name = "train", description = "Pretrain a BERT-family model on the instances stage's output (one replica).")
public final class TrainJob extends StageCommand {

    @Option(names = "--data", required = true, paramLabel = "INSTANCES_DIR", description = "The instances stage's output.")
    String data;

    @Option(names = "--vocab", required = true, paramLabel = "VOCAB_DIR", description = "The vocabulary the instances were built with.")
    String vocab;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "A model configuration: a file such as conf/models/bert-mini.conf, or a bundled name (bert-mini).")
    String model;

    @Option(names = "--output", required = true, paramLabel = "RUN_DIR", description = "The run directory.")
    String output;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Optimiser steps.")
    long steps;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N",
            description = "Sequences per optimiser step (split into --accumulate micro-batches). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-4", paramLabel = "RATE", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(names = "--warmup-steps", paramLabel = "N",
            description = "Steps of linear warm-up before the linear decay to 0. Default: 1% of --steps.")
    Long warmupSteps;

    @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "NAME",
            description = "adamw, lamb, sgd, nesterov, adagrad or adadelta. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--weight-decay", defaultValue = "0.01", paramLabel = "W",
            description = "Decoupled weight decay (not on biases and LayerNorm). Default: ${DEFAULT-VALUE}.")
    float weightDecay;

    @Option(names = "--accumulate", defaultValue = "1", paramLabel = "N",
            description = "Micro-batches whose gradients make one step. Default: ${DEFAULT-VALUE}.")
    int accumulate;

    @Option(names = "--clip-norm", defaultValue = "1.0", paramLabel = "NORM",
            description = "Global gradient-norm clipping (0: none). Default: ${DEFAULT-VALUE}.")
    float clipNorm;

    @Option(names = "--max-predictions", paramLabel = "N",
            description = "Most masked positions per sequence. Default: masking.max_predictions_per_seq.")
    Integer maxPredictions;

    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "NAME",
            description = "Compute backend: cpu, opencl (Aparapi kernels on --device) or auto (the first OpenCL GPU,"
                    + " else cpu). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "INDEX|NAME",
            description = "OpenCL device for --backend opencl|auto: an index, part of a name, or auto (the first GPU,"
                    + " else the first OpenCL device). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: the machine's cores.")
    Integer threads;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of the initial weights, the epoch order and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--log-every", defaultValue = "50", paramLabel = "N",
            description = "Steps per progress line and metrics.jsonl record. Default: ${DEFAULT-VALUE}.")
    int logEvery;

    public static void main(String[] args) {
        StageCommand.main(new TrainJob(), args);
    }

    @Override
    protected String stageName() {
        return "train";
    }

    @Override
    protected List<String> confFiles() {
        return List.of("train.properties", "instances.properties");
    }

    @Override
    protected String outputPath() {
        return output;
    }

    @Override
    protected Map<String, Object> arguments() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("data", data);
        a.put("vocab", vocab);
        a.put("model", model);
        // The file's content decides the output, not only its name.
        a.put("model_config", modelConfig().toString());
        a.put("steps", steps);
        a.put("batch_size", batchSize);
        a.put("lr", lr);
        a.put("warmup_steps", warmup());
        a.put("optimizer", optimizer);
        a.put("weight_decay", weightDecay);
        a.put("accumulate", accumulate);
        a.put("clip_norm", clipNorm);
        a.put("max_predictions", maxPredictions == null ? "masking.max_predictions_per_seq" : maxPredictions);
        a.put("backend", backend);
        a.put("device", device);
        a.put("seed", seed);
        a.put("log_every", logEvery);
        return a;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        if (steps < 1 || batchSize < 1 || accumulate < 1 || logEvery < 1) {
            throw new UsageException("--steps, --batch-size, --accumulate and --log-every must be at least 1");
        }
        if (batchSize % accumulate != 0) {
            throw new UsageException("--batch-size " + batchSize + " is not a multiple of --accumulate " + accumulate);
        }
        if (warmup() > steps) {
            throw new UsageException("--warmup-steps " + warmup() + " exceeds --steps " + steps);
        }
        if (maxPredictions != null && maxPredictions < 1) {
            throw new UsageException("--max-predictions must be at least 1");
        }
        try {
            Optimizer.named(optimizer, weightDecay);
            Backends.create(backend, device, 1).close();
        } catch (Exception e) {
            throw new UsageException(e.getMessage());
        }
        requireDirectory(data, "--data", hadoopConf);
        requireDirectory(vocab, "--vocab", hadoopConf);
        modelConfig();
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput out, StageReport report) throws Exception {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Tokenizer tokenizer = Tokenizers.load(vocab, conf, null);
        ModelConfig config = withVocabulary(modelConfig(), tokenizer);
        List<Instance> instances = InstanceTable.read(spark, data, config.hasSentenceTask());
        int seqLength = longest(instances, config);
        report.count("instances", instances.size());
        report.put("seq_length", seqLength);
        report.endPhase("read_instances");

        int predictions = maxPredictions != null ? maxPredictions : settings.integer("masking.max_predictions_per_seq");
        SpecialTokens specials = SpecialTokens.of(tokenizer);
        DynamicMasker masker = new DynamicMasker(tokenizer, settings.number("masking.probability"), predictions,
                settings.flag("masking.whole_word"), settings.longValue("masking.seed"));
        int micro = batchSize / accumulate;
        BatchStream batches = new BatchStream(instances, new BatchAssembler(masker, specials.pad(), seqLength), micro, seed);
        Optimizer optim = Optimizer.named(optimizer, weightDecay);
        FileSystem fs = out.fileSystem();
        try (BertModel bert = Trainer.newModel(config, Backends.create(backend, device, threadCount()), optim, micro, seqLength,
                micro * predictions, seed);
             MetricsFile metrics = new MetricsFile(fs, out.work())) {
            log.info("train: {} instances of up to {} tokens, {} steps of {} sequences ({} x {}), {} parameters, {} threads",
                    instances.size(), seqLength, steps, batchSize, accumulate, micro, bert.parameterCount(), threadCount());
            ProgressRecord last = train(bert, optim, batches, metrics, config.hasSentenceTask(), config.vocabSize(), report);
            report.endPhase("train");
            report.put("epochs_started", batches.epoch() + 1);
            putFinal(report, last);

            Checkpoint checkpoint = new Checkpoint(config, ModelExport.tensors(bert),
                    specials.pad(), new Path(vocab), Map.of());
            Path dir = new CheckpointWriter(fs, new Path(out.work(), "checkpoints")).write(steps, checkpoint);
            report.put("checkpoint", "checkpoints/" + dir.getName());
            report.endPhase("checkpoint");
        }
    }

    private ProgressRecord train(BertModel bert, Optimizer optim, BatchStream batches, MetricsFile metrics,
                                 boolean sentenceTask, int vocabSize, StageReport report) throws IOException {
        Trainer trainer = new Trainer(bert, optim, new TrainingOptions(lr, warmup(), steps, accumulate, clipNorm, seed));
        MaskedTokenEntropy entropy = new MaskedTokenEntropy(vocabSize);
        IntervalMeter meter = new IntervalMeter(sentenceTask);
        long start = System.nanoTime();
        long tokens = 0;
        ProgressRecord last = null;
        List<Batch> micro = new ArrayList<>(accumulate);
        while (trainer.stepsDone() < steps) {
            micro.clear();
            for (int m = 0; m < accumulate; m++) {
                Batch batch = batches.next();
                entropy.add(batch.maskedLabels(), batch.predictions());
                micro.add(batch);
            }
            StepMetrics step = trainer.step(micro);
            meter.add(step);
            tokens += step.tokens();
            if (step.step() % logEvery == 0 || step.step() == steps) {
                last = meter.close(step.step(), steps, step.learningRate(), (System.nanoTime() - start) / 1e9, entropy.nats());
                metrics.append(last);
                log.info(last.toLogLine(sentenceTask ? bert.config().objective() : ""));
            }
        }
        report.count("steps", steps);
        report.count("tokens", tokens);
        return last;
    }

    private static void putFinal(StageReport report, ProgressRecord last) {
        report.put("final_loss", last.loss());
        report.put("final_mlm_loss", last.mlmLoss());
        report.put("final_mlm_accuracy", last.mlmAccuracy());
        if (last.hasSentenceTask()) {
            report.put("final_nsp_loss", last.sentenceLoss());
            report.put("final_nsp_accuracy", last.sentenceAccuracy());
        }
        report.put("masked_unigram_entropy", last.maskedTokenEntropy());
        report.put("tokens_per_second", last.tokensPerSecond());
    }

    private long warmup() {
        return warmupSteps != null ? warmupSteps : steps / 100;
    }

    private int threadCount() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** The --model file, or a bundled configuration of that name. */
    private ModelConfig modelConfig() {
        java.nio.file.Path file = java.nio.file.Path.of(model);
        try {
            if (Files.isRegularFile(file)) {
                return ModelConfig.load(file);
            }
            String name = file.getFileName().toString().replaceFirst("\\.conf$", "");
            return ModelConfig.bundled(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model " + model + ": " + e.getMessage());
        }
    }

    private ModelConfig withVocabulary(ModelConfig config, Tokenizer tokenizer) {
        try {
            return config.withVocabSize(tokenizer.vocabularySize());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model " + model + " and --vocab " + vocab + ": " + e.getMessage());
        }
    }

    private int longest(List<Instance> instances, ModelConfig config) {
        int longest = instances.stream().mapToInt(Instance::length).max()
                .orElseThrow(() -> new UsageException("--data " + data + " holds no instances"));
        if (longest > config.maxPositionEmbeddings()) {
            throw new UsageException("--data " + data + " has instances of " + longest + " tokens but the model has "
                    + config.maxPositionEmbeddings() + " positions (max_position_embeddings)");
        }
        if (instances.size() < batchSize / accumulate) {
            throw new UsageException("--data " + data + " holds " + instances.size() + " instances, fewer than a micro-batch of "
                    + batchSize / accumulate);
        }
        return longest;
    }

    private static void requireDirectory(String path, String option, Configuration conf) {
        try {
            Path p = new Path(StageOutput.uri(path));
            if (!p.getFileSystem(conf).getFileStatus(p).isDirectory()) {
                throw new UsageException(option + " " + path + " is not a directory");
            }
        } catch (java.io.FileNotFoundException e) {
            throw new UsageException(option + " " + path + " does not exist");
        } catch (IOException e) {
            throw new UsageException(option + " " + path + ": " + e.getMessage());
        }
    }
}
