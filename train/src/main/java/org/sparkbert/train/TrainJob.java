package org.sparkbert.train;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.checkpoint.CheckpointStore;
import org.sparkbert.engine.checkpoint.ResumePoint;
import org.sparkbert.engine.checkpoint.TrainingConfig;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.loop.HeldOutSet;
import org.sparkbert.engine.loop.LoopResult;
import org.sparkbert.engine.loop.RunPlan;
import org.sparkbert.engine.loop.TensorBoardRecorder;
import org.sparkbert.engine.loop.TrainingLoop;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.Optimizer;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;
import org.sparkbert.train.distributed.AllReduceStrategy;
import org.sparkbert.train.distributed.BertCheckpoints;
import org.sparkbert.train.distributed.BertReplicaFactory;
import org.sparkbert.train.distributed.DistributedOptions;
import org.sparkbert.train.distributed.RingSettings;
import org.sparkbert.train.distributed.StepListeners;
import org.sparkbert.train.job.Instance;
import org.sparkbert.train.job.InstanceTable;
import org.sparkbert.train.job.ShardedBatches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The train stage: options plus wiring around the engine's {@link TrainingLoop}, which runs in the
 * driver (one replica), in each task of a barrier stage or behind the tree strategy (--replicas N),
 * on the same data order ({@link ShardedBatches}) and step: all agree up to float rounding.
 *
 * <p>While the run goes, checkpoints and metrics.jsonl live in the hidden sibling
 * {@code .RUN_DIR.checkpoints/} ({@link CheckpointStore#inProgressDirectory}), beside the TensorBoard
 * event files in its {@code tensorboard/} ({@link TensorBoardRecorder}); it survives a crash:
 * rerunning the same command continues from its newest checkpoint that verifies ({@link RunResume})
 * and ends with the weights an uninterrupted run would have. On success they move into RUN_DIR.
 */
@Command(name = "train", description = "Pretrain a BERT-family model on the instances stage's output.")
public final class TrainJob extends StageCommand {

    @Mixin
    TrainArguments a = new TrainArguments();

    /** The checkpoint of --resume PATH, verified before anything starts. */
    private ResumePoint explicitResume;

    /** The weights of --init-from DIR, read before anything starts. */
    private InitFrom warmStart;

    /** The ring's tuning from the {@code ring.} settings, read in validate(). */
    private RingConfig ring = RingConfig.defaults();

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
        return a.output;
    }

    /** Which checkpoint to continue from does not change the result: a resumed run ends as an unbroken one. */
    @Override
    protected Set<String> notInFingerprint() {
        return Set.of("--resume");
    }

    @Override
    protected Map<String, Object> arguments() {
        Map<String, Object> arguments = super.arguments();
        if (warmStart != null) arguments.putAll(warmStart.recorded());
        arguments.put("model_config", modelConfig().toString()); // the file's content decides, not only its name
        arguments.put("warmup_steps", a.warmup());
        return arguments;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        a.checkRanges();
        ring = RingSettings.of(settings);
        try {
            if (a.replicas != null) distributedOptions();
            Optimizer.named(a.optimizer, a.weightDecay, a.adamMoments());
            Backends.create(a.backend, a.device, 1).close();
        } catch (Exception e) {
            throw new UsageException(e.getMessage());
        }
        InputChecks.requireDirectory(a.data, "--data", hadoopConf);
        InputChecks.requireDirectory(a.vocab, "--vocab", hadoopConf);
        if (a.initFrom != null && a.model != null) {
            throw new UsageException(
                    "--init-from takes the architecture from " + a.initFrom + "/config.json; leave out --model");
        }
        if (a.initFrom == null && a.model == null)
            throw new UsageException("--model FILE is required (or --init-from DIR)");
        warmStart = a.initFrom == null ? null : InitFrom.read(a.initFrom, a.data, hadoopConf);
        modelConfig();
        explicitResume = RunResume.explicit(a.resume, hadoopConf);
    }

    /** The model to train: --init-from's architecture, else --model's. */
    private ModelConfig modelConfig() {
        return warmStart != null ? warmStart.config() : a.modelConfig();
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput out, StageReport report) throws Exception {
        Tokenizer tokenizer = Tokenizers.load(a.vocab, spark.sparkContext().hadoopConfiguration(), null);
        if (warmStart != null) warmStart.checkVocabulary(tokenizer, a.vocab);
        ModelConfig config = InputChecks.withVocabulary(modelConfig(), tokenizer, a.model, a.vocab);
        if (warmStart != null) warmStart.check(config, report, log);
        boolean sentenceTask = config.hasSentenceTask();
        // One replica in the driver holds every instance; replicas read theirs on the executors.
        List<Instance> instances = a.replicas == null ? InstanceTable.read(spark, a.data, sentenceTask) : null;
        InstanceTable.Summary table = instances != null
                ? InstanceTable.Summary.of(instances)
                : InstanceTable.summary(spark, a.data, sentenceTask);
        int seqLength = InputChecks.longest(table, config, a.data, a.batchSize);
        int instanceCount = Math.toIntExact(table.count());
        report.count("instances", instanceCount);
        report.put("seq_length", seqLength);
        report.endPhase("read_instances");
        int predictions =
                a.maxPredictions != null ? a.maxPredictions : settings.integer("masking.max_predictions_per_seq");
        int pad = SpecialTokens.of(tokenizer).pad();
        DynamicMasker masker = new DynamicMasker(
                tokenizer,
                settings.number("masking.probability"),
                predictions,
                settings.flag("masking.whole_word"),
                settings.longValue("masking.seed"));
        TrainingConfig trainingConfig =
                RecordedConfiguration.of(settings, arguments(), a, seqLength, instanceCount, predictions);
        CheckpointStore store = new CheckpointStore(
                out.fileSystem(), CheckpointStore.inProgressDirectory(out.path()), a.keepCheckpoints);
        ResumePoint from = new RunResume(a.resume, explicitResume, a.batchSize, a.warmupSteps == null)
                .prepare(store, trainingConfig, instanceCount);
        report.endPhase("find_checkpoint");
        int threads = a.replicas == null
                ? a.threadCount()
                : a.threads != null ? a.threads : Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        HeldOutSet heldOut = a.evalData == null ? null : HeldOutData.read(spark, a.evalData, tokenizer, config);
        BertReplicaFactory factory = new BertReplicaFactory(
                config,
                a.backend,
                a.device,
                threads,
                a.optimizer,
                a.weightDecay,
                a.adamMoments(),
                new TrainingOptions(a.lr, a.warmup(), a.steps, a.accumulate, a.clipNorm, a.seed),
                a.batchSize,
                seqLength,
                predictions,
                masker,
                pad,
                warmStart == null ? null : warmStart.uri(),
                heldOut);
        BertCheckpoints checkpoints = new BertCheckpoints(
                store.directory().toUri(),
                a.keepCheckpoints,
                pad,
                a.vocab,
                instanceCount,
                a.batchSize,
                a.seed,
                trainingConfig);
        RunPlan plan = distributedOptions().plan();
        StepListeners listeners = RunListeners.of(plan, sentenceTask ? config.objective() : null, store);
        log.info(
                "train: {} instances of up to {} tokens, {} steps of {} sequences ({} x {} x {}), backend {} on {}",
                instanceCount,
                seqLength,
                a.steps,
                a.batchSize,
                a.replicas == null ? 1 : a.replicas,
                a.accumulate,
                a.batchSize / a.accumulate / (a.replicas == null ? 1 : a.replicas),
                a.backend,
                a.device);
        ReplicaRuns runs = new ReplicaRuns(factory, checkpoints, listeners);
        LoopResult result = a.replicas == null
                ? runs.inDriver(instances, plan, a.evalEvery)
                : runs.onCluster(spark, a.data, distributedOptions(), report, out, ring);
        report.endPhase("train");
        RunCompletion.finish(report, a, result, from, store, out, instanceCount);
    }

    /** The run's layout; the driver's single replica runs it as one replica. */
    private DistributedOptions distributedOptions() {
        return DistributedOptions.of(
                        a.replicas == null ? 1 : a.replicas,
                        AllReduceStrategy.parse(a.allreduce),
                        a.steps,
                        a.batchSize,
                        a.accumulate)
                .withCheckpointEvery(a.checkpointEvery)
                .withCheckpointMinutes(a.checkpointMinutes)
                .withLogEvery(a.logEvery)
                .withEvaluateEvery(a.evalEvery)
                .withRing(ring);
    }
}
