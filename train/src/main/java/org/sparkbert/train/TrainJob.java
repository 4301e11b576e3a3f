package org.sparkbert.train;

import java.io.IOException;
import java.nio.file.Files;
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
import org.sparkbert.engine.checkpoint.CheckpointStore;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.checkpoint.ResumePoint;
import org.sparkbert.engine.checkpoint.TrainerState;
import org.sparkbert.engine.checkpoint.TrainingConfig;
import org.sparkbert.engine.checkpoint.TrainingSnapshot;
import org.sparkbert.train.distributed.AllReduceStrategy;
import org.sparkbert.train.distributed.BertCheckpoints;
import org.sparkbert.train.distributed.BertReplicaFactory;
import org.sparkbert.train.distributed.DistributedTrainer;
import org.sparkbert.train.distributed.DistributedOptions;
import org.sparkbert.engine.loop.StepSummary;
import org.sparkbert.train.distributed.TrainingResult;
import org.sparkbert.engine.backend.opencl.Backends;
import org.sparkbert.engine.loop.StepMetrics;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.train.job.BatchAssembler;
import org.sparkbert.train.job.Instance;
import org.sparkbert.train.job.InstanceTable;
import org.sparkbert.engine.loop.IntervalMeter;
import org.sparkbert.engine.loop.MaskedTokenEntropy;
import org.sparkbert.engine.loop.MetricsFile;
import org.sparkbert.engine.loop.ProgressRecord;
import org.sparkbert.train.job.ShardedBatches;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.Optimizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The train stage: reads the instances stage's output, trains the model of {@code --model} with the
 * engine, in this process or (--replicas N) as N Spark tasks summing their gradients every step,
 * logs a progress line per interval and the same in metrics.jsonl, and writes checkpoints every
 * {@code --checkpoint-every} steps and at the end (RUN_DIR/checkpoints/step-NNNNNN/, loadable by
 * Hugging Face transformers, with the optimiser and trainer state to resume from).
 *
 * <p>Both paths train on the same data order, {@link ShardedBatches} (a function of the seed and the
 * step; each instance masked afresh per pass over its shard), and the same step (a function of the
 * global batch), so the default, --replicas 1 and --replicas N give the same training up to float
 * rounding, and a resumed run needs nothing but the checkpoint's step.
 *
 * <p>Where checkpoints live while the run is in progress: in the hidden sibling
 * {@code .RUN_DIR.checkpoints/} ({@link CheckpointStore#inProgressDirectory}), not in the stage's
 * work directory, which a failed run deletes. Nothing there looks like a finished output (the run
 * directory itself appears only on success, with its _REPORT.json, as for every stage), and it
 * survives a crash: rerunning the same command ({@code --resume auto}, the default) continues from
 * its newest checkpoint that verifies, and ends with the weights an uninterrupted run would have.
 * On success the directory becomes RUN_DIR/checkpoints/ (the newest {@code --keep-checkpoints}).
 * {@code --resume never} deletes it and starts afresh; {@code --resume PATH} starts from a named
 * checkpoint. A checkpoint trained with other result-affecting settings is refused, naming the setting.
 */
@Command(name = "train", description = "Pretrain a BERT-family model on the instances stage's output.")
public final class TrainJob extends StageCommand {

    @Option(names = "--data", required = true, paramLabel = "INSTANCES_DIR", description = "The instances stage's output.")
    String data;

    @Option(names = "--vocab", required = true, paramLabel = "VOCAB_DIR", description = "The vocabulary the instances were built with.")
    String vocab;

    @Option(names = "--model", paramLabel = "FILE",
            description = "A model configuration: a file such as conf/models/bert-mini.conf, or a bundled name (bert-mini)."
                    + " Required unless --init-from gives the architecture.")
    String model;

    @Option(names = "--init-from", paramLabel = "DIR",
            description = "Start a new run from these weights: a sparkbert checkpoint or a Hugging Face BERT directory"
                    + " (config.json + model.safetensors). Its config.json gives the architecture, the instances the objective;"
                    + " heads it lacks start fresh. Steps, schedule and optimiser state are this run's.")
    String initFrom;

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
            description = "Seed of the initial weights, the data order and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--log-every", defaultValue = "50", paramLabel = "N",
            description = "Steps per progress line and metrics.jsonl record. Default: ${DEFAULT-VALUE}.")
    int logEvery;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "K",
            description = "Write a checkpoint every K steps as well as at the end (0: only at the end)."
                    + " Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "3", paramLabel = "M",
            description = "Keep the newest M checkpoints, deleting older ones. Default: ${DEFAULT-VALUE}.")
    int keepCheckpoints;

    @Option(names = "--resume", defaultValue = "auto", paramLabel = "auto|never|PATH",
            description = "auto: continue from the newest valid checkpoint of an earlier failed run of this RUN_DIR;"
                    + " never: start afresh (deleting those); PATH: continue from that checkpoint directory."
                    + " Default: ${DEFAULT-VALUE}.")
    String resume;

    @Option(names = "--replicas", paramLabel = "N",
            description = "Train N model replicas as Spark tasks (synchronous data parallelism, gradients summed every"
                    + " step; --batch-size is the global batch). Default: one replica in the driver.")
    Integer replicas;

    @Option(names = "--allreduce", defaultValue = "ring", paramLabel = "ring|tree",
            description = "With --replicas: ring (one barrier stage, TCP ring all-reduce) or tree (driver broadcast and"
                    + " treeAggregate per step). Default: ${DEFAULT-VALUE}.")
    String allreduce;

    /** The checkpoint of --resume PATH, verified before anything starts. */
    private ResumePoint explicitResume;

    /** The weights of --init-from DIR, read before anything starts. */
    private InitFrom warmStart;

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
        a.put("model", model == null ? "--init-from" : model);
        if (warmStart != null) {
            a.putAll(warmStart.recorded());
        }
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
        // Which checkpoints the output holds; --resume is left out: resuming gives the same result.
        a.put("checkpoint_every", checkpointEvery);
        a.put("keep_checkpoints", keepCheckpoints);
        if (replicas != null) { // absent for one replica in the driver, so earlier runs keep their fingerprint
            a.put("replicas", replicas);
            a.put("allreduce", allreduce);
        }
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
        if (checkpointEvery < 0 || keepCheckpoints < 1) {
            throw new UsageException("--checkpoint-every must be at least 0 and --keep-checkpoints at least 1");
        }
        if (replicas != null) {
            try {
                DistributedOptions.of(replicas, AllReduceStrategy.parse(allreduce), steps, batchSize, accumulate);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        try {
            Optimizer.named(optimizer, weightDecay);
            Backends.create(backend, device, 1).close();
        } catch (Exception e) {
            throw new UsageException(e.getMessage());
        }
        requireDirectory(data, "--data", hadoopConf);
        requireDirectory(vocab, "--vocab", hadoopConf);
        if (initFrom != null) {
            if (model != null) {
                throw new UsageException("--init-from takes the architecture from " + initFrom + "/config.json; leave out --model");
            }
            if (replicas != null) {
                throw new UsageException("--init-from trains in the driver for now; leave out --replicas");
            }
            warmStart = InitFrom.read(initFrom, data, hadoopConf);
        } else if (model == null) {
            throw new UsageException("--model FILE is required (or --init-from DIR)");
        }
        modelConfig();
        if (!resume.equals("auto") && !resume.equals("never")) {
            try {
                Path path = new Path(StageOutput.uri(resume));
                explicitResume = CheckpointStore.load(path.getFileSystem(hadoopConf), path);
            } catch (IOException e) {
                throw new UsageException("--resume " + resume + ": " + e.getMessage());
            }
        }
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput out, StageReport report) throws Exception {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Tokenizer tokenizer = Tokenizers.load(vocab, conf, null);
        if (warmStart != null) {
            warmStart.checkVocabulary(tokenizer, vocab);
        }
        ModelConfig config = withVocabulary(modelConfig(), tokenizer);
        // One replica in the driver holds every instance; replicas read theirs on the executors.
        List<Instance> instances = replicas == null ? InstanceTable.read(spark, data, config.hasSentenceTask()) : null;
        InstanceTable.Summary table = instances != null ? InstanceTable.Summary.of(instances)
                : InstanceTable.summary(spark, data, config.hasSentenceTask());
        int seqLength = longest(table, config);
        int instanceCount = Math.toIntExact(table.count());
        report.count("instances", instanceCount);
        report.put("seq_length", seqLength);
        report.endPhase("read_instances");

        int predictions = maxPredictions != null ? maxPredictions : settings.integer("masking.max_predictions_per_seq");
        SpecialTokens specials = SpecialTokens.of(tokenizer);
        DynamicMasker masker = new DynamicMasker(tokenizer, settings.number("masking.probability"), predictions,
                settings.flag("masking.whole_word"), settings.longValue("masking.seed"));
        int micro = batchSize / accumulate;
        Optimizer optim = Optimizer.named(optimizer, weightDecay);
        FileSystem fs = out.fileSystem();
        TrainingConfig trainingConfig = trainingConfig(settings, config, seqLength, instanceCount, predictions);
        CheckpointStore store = new CheckpointStore(fs, CheckpointStore.inProgressDirectory(out.path()), keepCheckpoints);
        ResumePoint from = resumePoint(store, trainingConfig);
        if (from != null) {
            checkDataPosition(from, instanceCount);
        }
        report.endPhase("find_checkpoint");
        if (replicas != null) {
            if (from != null && !from.dir().getParent().equals(store.directory())) {
                adopt(store, from); // rank 0 resumes from the newest checkpoint in the store: this one
            }
            trainOnCluster(spark, instanceCount, config, seqLength, predictions, masker, specials.pad(), store,
                    trainingConfig, out, report);
            return;
        }
        ShardedBatches batches = ShardedBatches.all(instances, new BatchAssembler(masker, specials.pad(), seqLength),
                batchSize, micro, seed);
        try (BertModel bert = Trainer.newModel(config, Backends.create(backend, device, threadCount()), optim, micro, seqLength,
                micro * predictions, seed);
             MetricsFile metrics = new MetricsFile(fs, out.work())) {
            log.info("train: {} instances of up to {} tokens, {} steps of {} sequences ({} x {}), {} parameters, {} threads",
                    instances.size(), seqLength, steps, batchSize, accumulate, micro, bert.parameterCount(), threadCount());
            MaskedTokenEntropy entropy = new MaskedTokenEntropy(config.vocabSize());
            long startStep = 0;
            if (from == null && warmStart != null) {
                warmStart.apply(bert, report, log);
            }
            if (from != null) {
                from.restoreInto(bert, optimizer, optim);
                startStep = from.step();
                log.info("train: resuming from {} at step {} (epoch {})", from.dir(), startStep, from.state().epoch());
                report.put("resumed_from", from.dir().toString());
                report.put("resumed_at_step", startStep);
            }
            Trainer trainer = new Trainer(bert, optim, new TrainingOptions(lr, warmup(), steps, accumulate, clipNorm, seed));
            trainer.resumeAt(startStep);
            Snapshots snapshots = new Snapshots(store, bert, optim, instances.size(), trainingConfig, specials.pad(),
                    new Path(vocab));
            ProgressRecord last = train(trainer, bert, batches, metrics, entropy, snapshots, report);
            report.endPhase("train");
            report.put("epochs", ShardedBatches.epoch(steps, batchSize, instances.size()));
            if (last != null) {
                putFinal(report, last);
            }
            Path dir = startStep < steps ? snapshots.save(steps) : from.dir();
            store.moveTo(new Path(out.work(), "checkpoints"));
            report.put("checkpoint", "checkpoints/" + dir.getName());
            report.endPhase("checkpoint");
        }
    }

    /** --replicas: the replicas train as Spark tasks; rank 0 writes the checkpoints, the last one is the result. */
    private void trainOnCluster(SparkSession spark, int instanceCount, ModelConfig config, int seqLength,
                                int predictions, DynamicMasker masker, int pad, CheckpointStore store,
                                TrainingConfig trainingConfig, StageOutput out, StageReport report) throws IOException {
        int taskThreads = threads != null ? threads : Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        BertReplicaFactory factory = new BertReplicaFactory(config, backend, taskThreads, optimizer, weightDecay,
                new TrainingOptions(lr, warmup(), steps, accumulate, clipNorm, seed), batchSize, seqLength, predictions,
                masker, pad);
        BertCheckpoints checkpoints = new BertCheckpoints(store.directory().toUri(), keepCheckpoints, pad, vocab,
                instanceCount, batchSize, seed, trainingConfig);
        DistributedOptions options = DistributedOptions.of(replicas, AllReduceStrategy.parse(allreduce), steps, batchSize,
                accumulate).withCheckpointEvery(checkpointEvery).withLogEvery(logEvery);
        log.info("train: {} instances of up to {} tokens, {} steps of {} sequences ({} replicas x {} x {}), {} all-reduce",
                instanceCount, seqLength, steps, batchSize, replicas, accumulate, options.microBatch(),
                options.strategy().label());
        TrainingResult result = DistributedTrainer.train(spark.sparkContext(),
                InstanceTable.readDistributed(spark, data, config.hasSentenceTask()), factory, checkpoints, options);
        report.endPhase("train");
        report.count("steps", steps);
        report.put("replicas", replicas);
        report.put("allreduce", options.strategy().label());
        report.put("epochs", ShardedBatches.epoch(steps, batchSize, instanceCount));
        if (result.resumedFrom() > 0) {
            report.put("resumed_at_step", result.resumedFrom());
        }
        if (result.attempt() > 0) {
            report.put("stage_attempt", result.attempt());
        }
        ProgressRecord last = writeMetrics(result, config.hasSentenceTask(), out);
        if (last != null) {
            putFinal(report, last);
        }
        report.count("tokens", result.steps().stream().mapToLong(StepSummary::tokens).sum());
        store.moveTo(new Path(out.work(), "checkpoints"));
        report.put("checkpoint", "checkpoints/" + CheckpointWriter.directoryName(steps));
        report.endPhase("checkpoint");
    }

    /** The checkpoint to continue from, per --resume, after checking that it continues this training. */
    private ResumePoint resumePoint(CheckpointStore store, TrainingConfig ours) throws IOException {
        if (resume.equals("never")) {
            if (!store.steps().isEmpty()) {
                log.info("train: --resume never: deleting the checkpoints of an earlier run in {}", store.directory());
            }
            store.clear();
            return null;
        }
        ResumePoint from = resume.equals("auto") ? store.latest().orElse(null) : explicitResume;
        if (from != null) {
            String mismatch = ours.resultMismatch(from.state().config(), "checkpoint " + from.dir());
            if (mismatch != null) {
                throw new UsageException(mismatch);
            }
        }
        // Newer checkpoints (damaged ones that latest() skipped, or those of an attempt that --resume PATH
        // does not continue) are not the training this run continues: they must not outlive it.
        store.deleteNewerThan(from == null ? 0 : from.step());
        if (from == null) {
            return null;
        }
        for (String difference : ours.informationalDifferences(from.state().config())) {
            log.warn("train: resuming from {} with a setting changed that does not decide the result ({})",
                    from.dir(), difference);
        }
        return from;
    }

    /**
     * Checks that the checkpoint's recorded data position is where this run's data order stands after
     * its step (so a checkpoint whose data went another way is an error, not a silently different run).
     */
    private void checkDataPosition(ResumePoint from, int instanceCount) {
        long[] expected = ShardedBatches.position(from.step(), batchSize, instanceCount);
        TrainerState state = from.state();
        if (state.dataEpoch() != expected[0] || state.dataPosition() != expected[1]) {
            throw new IllegalStateException(from.dir() + " stopped at pass " + state.dataEpoch() + " position "
                    + state.dataPosition() + " of the data, but " + from.step() + " steps of this run's data order end at pass "
                    + expected[0] + " position " + expected[1] + " of " + instanceCount + " instances");
        }
    }

    /**
     * --resume PATH with --replicas: copies the (verified) checkpoint into the run's store, where rank 0
     * looks for the newest one (the store holds none newer: {@link #resumePoint} deleted them).
     */
    private void adopt(CheckpointStore store, ResumePoint from) throws IOException {
        FileSystem fs = store.fileSystem();
        FileSystem source = from.dir().getFileSystem(fs.getConf());
        Path target = new Path(store.directory(), CheckpointWriter.directoryName(from.step()));
        Path partial = new Path(store.directory(), ".adopting-" + target.getName());
        fs.delete(partial, true);
        if (!org.apache.hadoop.fs.FileUtil.copy(source, from.dir(), fs, partial, false, fs.getConf())) {
            throw new IOException("cannot copy " + from.dir() + " to " + partial);
        }
        fs.delete(target, true);
        if (!fs.rename(partial, target)) {
            throw new IOException("cannot move " + partial + " to " + target);
        }
        log.info("train: --resume {}: copied into {} for the replicas to resume from", from.dir(), target);
    }

    /**
     * metrics.jsonl of a distributed run, from the step summaries that rank 0 (ring) or the driver
     * (tree) returned: the same intervals and keys as the single-process path, tokens per second over
     * the summed step times, elapsed time the sum of the step times of this attempt.
     */
    private ProgressRecord writeMetrics(TrainingResult result, boolean sentenceTask, StageOutput out) throws IOException {
        IntervalMeter meter = new IntervalMeter(sentenceTask);
        ProgressRecord last = null;
        double elapsed = 0, interval = 0;
        try (MetricsFile metrics = new MetricsFile(out.fileSystem(), out.work())) {
            for (StepSummary s : result.steps()) {
                meter.add(s.metrics());
                elapsed += s.seconds();
                interval += s.seconds();
                if (s.step() % logEvery == 0 || s.step() == steps) {
                    last = meter.close(s.step(), steps, s.learningRate(), elapsed, s.maskedTokenEntropy(), interval);
                    metrics.append(last);
                    interval = 0;
                }
            }
        }
        return last;
    }

    /** Writes the full training state into the store. */
    private final class Snapshots {
        private final CheckpointStore store;
        private final BertModel bert;
        private final Optimizer optim;
        private final int instanceCount;
        private final TrainingConfig config;
        private final int pad;
        private final Path vocabDir;

        Snapshots(CheckpointStore store, BertModel bert, Optimizer optim, int instanceCount, TrainingConfig config, int pad,
                  Path vocabDir) {
            this.store = store;
            this.bert = bert;
            this.optim = optim;
            this.instanceCount = instanceCount;
            this.config = config;
            this.pad = pad;
            this.vocabDir = vocabDir;
        }

        Path save(long step) throws IOException {
            TrainerState state = ShardedBatches.state(step, batchSize, instanceCount, seed, config);
            return store.save(step, TrainingSnapshot.capture(bert, optimizer, optim, state, pad, vocabDir));
        }
    }

    /**
     * The configuration a checkpoint records: what decides the weights (a resumed run must match
     * it) and what does not. The data is identified by its path (informational: a copy elsewhere
     * is the same data) and, decisively, by its instance count and longest instance.
     */
    private TrainingConfig trainingConfig(Settings settings, ModelConfig config, int seqLength, int instanceCount,
                                          int predictions) {
        Map<String, Object> result = new LinkedHashMap<>(settings.asMap());
        result.put("model_config", config.toString());
        result.put("steps", steps);
        result.put("batch_size", batchSize);
        result.put("lr", lr);
        result.put("warmup_steps", warmup());
        result.put("optimizer", optimizer);
        result.put("weight_decay", weightDecay);
        result.put("accumulate", accumulate);
        result.put("clip_norm", clipNorm);
        result.put("max_predictions", predictions);
        result.put("seed", seed);
        result.put("data_order", "shard = rank in id order mod batch_size"); // ShardedBatches
        result.put("instances", instanceCount);
        result.put("seq_length", seqLength);
        if (warmStart != null) {
            result.putAll(warmStart.recorded());
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("data", data);
        info.put("vocab", vocab);
        info.put("backend", backend);
        info.put("device", device);
        info.put("threads", threadCount());
        // 1 and N replicas train the same up to float rounding (bit-identical only for the same N).
        info.put("replicas", replicas == null ? 1 : replicas);
        if (replicas != null) {
            info.put("allreduce", allreduce);
        }
        info.put("log_every", logEvery);
        info.put("checkpoint_every", checkpointEvery);
        info.put("keep_checkpoints", keepCheckpoints);
        return TrainingConfig.of(result, info);
    }

    private ProgressRecord train(Trainer trainer, BertModel bert, ShardedBatches batches, MetricsFile metrics,
                                 MaskedTokenEntropy entropy, Snapshots snapshots, StageReport report) throws IOException {
        boolean sentenceTask = bert.config().hasSentenceTask();
        IntervalMeter meter = new IntervalMeter(sentenceTask);
        long start = System.nanoTime();
        long tokens = 0;
        ProgressRecord last = null;
        while (trainer.stepsDone() < steps) {
            List<Batch> micro = batches.microBatches(trainer.stepsDone());
            for (Batch batch : micro) {
                entropy.add(batch.maskedLabels(), batch.predictions());
            }
            StepMetrics step = trainer.step(micro);
            meter.add(step);
            tokens += step.tokens();
            if (step.step() % logEvery == 0 || step.step() == steps) {
                last = meter.close(step.step(), steps, step.learningRate(), (System.nanoTime() - start) / 1e9, entropy.nats());
                metrics.append(last);
                log.info(last.toLogLine(sentenceTask ? bert.config().objective() : ""));
            }
            if (checkpointEvery > 0 && step.step() % checkpointEvery == 0 && step.step() < steps) {
                snapshots.save(step.step());
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
        if (!Double.isNaN(last.maskedTokenEntropy())) {
            report.put("masked_unigram_entropy", last.maskedTokenEntropy());
        }
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
        if (warmStart != null) {
            return warmStart.config();
        }
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

    private int longest(InstanceTable.Summary table, ModelConfig config) {
        if (table.count() == 0) {
            throw new UsageException("--data " + data + " holds no instances");
        }
        int longest = table.longest();
        if (longest > config.maxPositionEmbeddings()) {
            throw new UsageException("--data " + data + " has instances of " + longest + " tokens but the model has "
                    + config.maxPositionEmbeddings() + " positions (max_position_embeddings)");
        }
        if (table.count() < batchSize) {
            throw new UsageException("--data " + data + " holds " + table.count() + " instances, fewer than a batch of "
                    + batchSize + " (every step takes one instance from each of --batch-size data shards)");
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
