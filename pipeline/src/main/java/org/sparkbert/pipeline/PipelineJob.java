package org.sparkbert.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.ReportCommand;
import org.sparkbert.evaluate.finetune.GlueJob;
import org.sparkbert.evaluate.perplexity.PerplexityJob;
import org.sparkbert.ingest.IngestJob;
import org.sparkbert.ingest.read.InputFiles;
import org.sparkbert.job.Settings;
import org.sparkbert.job.SparkSessions;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.instances.InstancesJob;
import org.sparkbert.tokenize.vocab.VocabJob;
import org.sparkbert.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/pretrain pipeline}: raw shards to a trained model and its report in one command, one
 * JVM and one SparkSession. Runs ingest, vocab (WordPiece), instances (the model's objective), train
 * (steps chosen from the time budget), perplexity, GLUE fine-tuning against a random-init baseline and
 * the report, each into its own subdirectory of --work (perplexity beside the run, in train/). Every
 * stage finds its own complete output and skips, so a rerun after a failure resumes where it stopped.
 * The report directory is this command's own output: its _REPORT.json records the stages and the summary.
 */
@Command(name = "pipeline", description = "Run every stage, from raw shards to a trained model and its report.")
public final class PipelineJob extends StageCommand {
    /** Every conf/ file a stage of the pipeline reads, and the pipeline's own. */
    private static final List<String> CONF_FILES = List.of(
            "pipeline.properties",
            "ingest.properties",
            "tokenize.properties",
            "instances.properties",
            "train.properties",
            "evaluate.properties");

    private static final List<String> NO_TASKS = List.of("none", "");

    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            paramLabel = "PATH_OR_GLOB",
            description = "Raw shards: files, globs or directories on any Hadoop FileSystem (as ingest --input).")
    List<String> inputs = new ArrayList<>();

    @Option(
            names = "--work",
            required = true,
            paramLabel = "DIR",
            description =
                    "The work directory: one subdirectory per stage (ingest, vocab, instances, train with train/perplexity,"
                            + " glue, report).")
    String work;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description =
                    "A model configuration file (conf/models/bert-mini.conf) or a bundled name. Default: setting pipeline.model.")
    String model;

    @Option(
            names = "--budget-minutes",
            paramLabel = "N",
            description =
                    "Minutes the run should take; the training steps are chosen from it. Default: setting pipeline.budget_minutes.")
    Double budgetMinutes;

    @Option(
            names = "--replicas",
            defaultValue = "1",
            paramLabel = "N",
            description = "Model replicas training in parallel as Spark tasks (train --replicas N, ring all-reduce);"
                    + " 1 trains in the driver. The master needs N task slots. Default: ${DEFAULT-VALUE}.")
    int replicas;

    public static void main(String[] args) {
        int code = execute(args);
        SparkSessions.stopIfStarted();
        System.exit(code);
    }

    /** Runs the pipeline and, when it is done (now or before), prints the summary; returns the exit code. */
    public static int execute(String... args) {
        PipelineJob job = new PipelineJob();
        int code = StageCommand.execute(job, args);
        if (code == EXIT_OK && job.work != null) {
            System.out.println(PipelineSummary.read(new WorkLayout(job.work), new Configuration())
                    .text());
            System.out.flush();
        }
        return code;
    }

    @Override
    protected String stageName() {
        return "pipeline";
    }

    @Override
    protected List<String> confFiles() {
        return CONF_FILES;
    }

    @Override
    protected String outputPath() {
        return new WorkLayout(work).dir(WorkLayout.REPORT);
    }

    @Override
    protected Map<String, Object> arguments() {
        Map<String, Object> a = new TreeMap<>();
        a.put("input", inputs);
        a.put("work", work);
        a.put("model", model == null ? "pipeline.model" : model);
        a.put("budget_minutes", budgetMinutes == null ? "pipeline.budget_minutes" : budgetMinutes);
        a.put("replicas", replicas);
        return a;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        int batchSize = settings.integer("pipeline.train.batch_size");
        if (replicas < 1 || batchSize % replicas != 0) {
            // Checked here so that the error comes before ingest runs, not after it.
            throw new UsageException(
                    "--replicas " + replicas + " must be at least 1 and divide pipeline.train.batch_size " + batchSize
                            + " (the global batch is split evenly across the replicas).");
        }
        if (!(budget(settings) > 0)) {
            throw new UsageException("--budget-minutes must be positive, not " + budget(settings) + ".");
        }
        checkSettings(settings);
        InputFiles.expand(inputs, hadoopConf);
        ModelChoice.resolve(modelName(settings));
        checkGlueData(settings, hadoopConf);
        new WorkLayout(work).check(hadoopConf, overwrite);
    }

    private static void checkSettings(Settings s) {
        for (String key : List.of(
                "pipeline.vocab.size",
                "pipeline.instances.max_seq_length",
                "pipeline.instances.dupe_factor",
                "pipeline.train.batch_size",
                "pipeline.train.log_every",
                "pipeline.train.min_steps")) {
            if (s.integer(key) < 1) {
                throw new UsageException("Setting '" + key + "' must be at least 1, not " + s.integer(key) + ".");
            }
        }
        double share = s.number("pipeline.train.budget_share");
        if (!(share > 0 && share <= 1)) {
            throw new UsageException("Setting 'pipeline.train.budget_share' must lie in (0, 1], not " + share + ".");
        }
        double beta2 = s.number("pipeline.train.adam_beta2");
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new UsageException("Setting 'pipeline.train.adam_beta2' must lie in [0, 1), not " + beta2 + ".");
        }
        if (!(s.number("pipeline.train.flops_per_second") > 0) || !(s.number("pipeline.train.lr") > 0)) {
            throw new UsageException(
                    "Settings 'pipeline.train.flops_per_second' and 'pipeline.train.lr' must be positive.");
        }
        if (s.longValue("pipeline.train.max_steps") < s.longValue("pipeline.train.min_steps")) {
            throw new UsageException("Setting 'pipeline.train.max_steps' must be at least 'pipeline.train.min_steps'.");
        }
    }

    /** The GLUE stage runs last; a missing data directory is found now, before hours of training. */
    private static void checkGlueData(Settings s, Configuration conf) {
        if (!glueEnabled(s)) {
            return;
        }
        String data = s.string("pipeline.glue.data");
        try {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(data);
            if (!path.getFileSystem(conf).isDirectory(path)) {
                throw new UsageException(
                        "GLUE data directory '" + data + "' (setting pipeline.glue.data) does not exist. Run from the"
                                + " repository's root for the bundled sample/glue, give another directory, or set pipeline.glue.tasks=none.");
            }
        } catch (java.io.IOException e) {
            throw new UsageException("Cannot read GLUE data directory '" + data + "': " + e.getMessage());
        }
    }

    private static boolean glueEnabled(Settings s) {
        return !NO_TASKS.contains(s.string("pipeline.glue.tasks").trim().toLowerCase());
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput output, StageReport report) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        WorkLayout layout = new WorkLayout(work);
        List<PipelineStep> steps = plan(settings, layout, output, report);
        List<StepOutcome> outcomes = new StepSequence(conf, System.out).run(steps);
        Map<String, Object> stages = new LinkedHashMap<>();
        for (StepOutcome o : outcomes) {
            stages.put(o.name(), o.skipped() ? "skipped" : Math.round(o.seconds() * 10) / 10.0);
        }
        report.put("stages_seconds", stages);
        report.count(
                "stages_skipped", outcomes.stream().filter(StepOutcome::skipped).count());
        report.put("summary", PipelineSummary.read(layout, conf).asMap());
        report.endPhase("stages");
    }

    private List<PipelineStep> plan(Settings s, WorkLayout layout, StageOutput output, StageReport report) {
        StageSettings stageSettings = new StageSettings(s, sparkPairs());
        String modelName = modelName(s);
        ModelConfig config = ModelChoice.resolve(modelName).withVocabSize(s.integer("pipeline.vocab.size"));
        int seqLength = s.integer("pipeline.instances.max_seq_length");
        int batchSize = s.integer("pipeline.train.batch_size");
        TrainingBudget budget = new TrainingBudget(
                budget(s),
                s.number("pipeline.train.budget_share"),
                s.number("pipeline.train.flops_per_second"),
                s.longValue("pipeline.train.min_steps"),
                s.longValue("pipeline.train.max_steps"));
        // BERT's 20 predictions suit 128 tokens; shorter sequences mask fewer, and the head need not score padding.
        int predictions = Math.min(s.integer("masking.max_predictions_per_seq"), (int)
                Math.ceil(seqLength * s.number("masking.probability")));
        long trainSteps = budget.steps(config, batchSize, seqLength, predictions);
        report.put("train_steps", trainSteps);

        String ingest = layout.dir(WorkLayout.INGEST);
        String vocab = layout.dir(WorkLayout.VOCAB);
        String instances = layout.dir(WorkLayout.INSTANCES);
        String train = layout.dir(WorkLayout.TRAIN);
        List<String> ingestArgs = new ArrayList<>(List.of("--input"));
        ingestArgs.addAll(inputs);
        ingestArgs.addAll(List.of("--output", ingest));

        List<String> vocabArgs = new ArrayList<>(List.of(
                "--input",
                ingest,
                "--output",
                vocab,
                "--model",
                "wordpiece",
                "--vocab-size",
                s.string("pipeline.vocab.size")));
        String extraText = s.string("pipeline.vocab.extra_input").trim();
        if (!extraText.isEmpty()) {
            vocabArgs.add("--extra-input");
            vocabArgs.addAll(List.of(extraText.split("\\s*,\\s*")));
        }

        List<PipelineStep> steps = new ArrayList<>();
        steps.add(stage(
                "ingest",
                "clean and deduplicate " + String.join(" ", inputs),
                ingest,
                IngestJob::new,
                ingestArgs,
                stageSettings.confArguments(List.of("ingest.properties"))));
        steps.add(stage(
                "vocab",
                "train a WordPiece vocabulary of " + s.integer("pipeline.vocab.size") + " tokens",
                vocab,
                VocabJob::new,
                vocabArgs,
                stageSettings.confArguments(List.of("tokenize.properties"))));
        steps.add(stage(
                "instances",
                config.objective().toUpperCase() + " instances of up to " + seqLength + " tokens",
                instances,
                InstancesJob::new,
                List.of(
                        "--input",
                        ingest,
                        "--vocab",
                        vocab,
                        "--output",
                        instances,
                        "--objective",
                        config.objective(),
                        "--max-seq-length",
                        String.valueOf(seqLength),
                        "--dupe-factor",
                        s.string("pipeline.instances.dupe_factor")),
                stageSettings.confArguments(List.of("instances.properties"))));
        List<String> trainArgs = new ArrayList<>(List.of(
                "--data",
                instances,
                "--vocab",
                vocab,
                "--model",
                modelName,
                "--output",
                train,
                "--steps",
                String.valueOf(trainSteps),
                "--batch-size",
                String.valueOf(batchSize),
                "--lr",
                s.string("pipeline.train.lr"),
                "--adam-beta2",
                s.string("pipeline.train.adam_beta2"),
                "--max-predictions",
                String.valueOf(predictions),
                "--log-every",
                s.string("pipeline.train.log_every")));
        if (s.number("ingest.split.validation_fraction") > 0) { // held-out loss beside the count baselines as it trains
            trainArgs.addAll(List.of(
                    "--eval-data",
                    instances,
                    "--eval-every",
                    String.valueOf(Math.max(1, trainSteps / s.integer("pipeline.train.evaluations")))));
        }
        if (replicas > 1) { // one replica trains in the driver, as train without --replicas does
            trainArgs.addAll(List.of("--replicas", String.valueOf(replicas)));
        }
        steps.add(stage(
                "train",
                "pretrain " + modelName + " for " + trainSteps + " steps of " + batchSize + " sequences"
                        + (replicas > 1 ? " on " + replicas + " replicas" : ""),
                train,
                TrainJob::new,
                trainArgs,
                stageSettings.confArguments(List.of("train.properties", "instances.properties"))));
        String checkpoint = train + "/checkpoints/" + CheckpointWriter.directoryName(trainSteps);
        if (s.flag("pipeline.perplexity.enabled")) {
            // By default the validation instances (frozen masks, with the count baselines beside the model's loss).
            String text =
                    s.string("pipeline.perplexity.input").isEmpty() ? instances : s.string("pipeline.perplexity.input");
            String perplexity = layout.perplexity();
            steps.add(stage(
                    "perplexity",
                    "masked-LM loss of the checkpoint on the held-out split of " + text,
                    perplexity,
                    PerplexityJob::new,
                    List.of(
                            "--checkpoint",
                            checkpoint,
                            "--input",
                            text,
                            "--output",
                            perplexity,
                            "--max-seq-length",
                            String.valueOf(seqLength)),
                    stageSettings.confArguments(List.of("evaluate.properties"))));
        }
        List<String> reportArgs = new ArrayList<>(List.of(
                "--run", train, "--output", output.workUri(), "--output-shown-as", layout.dir(WorkLayout.REPORT)));
        if (glueEnabled(s)) {
            String glue = layout.dir(WorkLayout.GLUE);
            List<String> glueArgs = new ArrayList<>(List.of(
                    "--checkpoint",
                    checkpoint,
                    "--data",
                    s.string("pipeline.glue.data"),
                    "--output",
                    glue,
                    "--tasks",
                    s.string("pipeline.glue.tasks"),
                    "--baseline",
                    "random-init",
                    "--epochs",
                    s.string("pipeline.glue.epochs"),
                    "--lr",
                    s.string("pipeline.glue.lr"),
                    "--batch-size",
                    s.string("pipeline.glue.batch_size"),
                    "--max-train-examples",
                    s.string("pipeline.glue.max_train_examples"),
                    "--seeds",
                    s.string("pipeline.glue.seeds"),
                    "--max-seq-length",
                    s.string("pipeline.glue.max_seq_length")));
            if (!s.string("pipeline.glue.lr_grid").isBlank())
                glueArgs.addAll(List.of("--lr-grid", s.string("pipeline.glue.lr_grid")));
            steps.add(stage(
                    "glue",
                    "fine-tune on " + s.string("pipeline.glue.tasks") + " from the checkpoint and from random weights"
                            + " (" + s.string("pipeline.glue.seeds") + " seeds each)",
                    glue,
                    GlueJob::new,
                    glueArgs,
                    stageSettings.confArguments(List.of("evaluate.properties"))));
            reportArgs.addAll(List.of("--eval", glue));
        }
        steps.add(new PipelineStep(
                "report",
                "report.md, report.html and report.json of the run",
                layout.dir(WorkLayout.REPORT),
                false,
                () -> ReportCommand.execute(reportArgs.toArray(new String[0]))));
        return steps;
    }

    private PipelineStep stage(
            String name,
            String what,
            String dir,
            java.util.function.Supplier<StageCommand> command,
            List<String> arguments,
            List<String> confArguments) {
        List<String> all = new ArrayList<>(arguments);
        all.addAll(confArguments);
        all.addAll(commonOptions());
        String[] args = all.toArray(new String[0]);
        return new PipelineStep(name, what, dir, true, () -> StageCommand.execute(command.get(), args));
    }

    /** What the pipeline was told that every stage should hear too. */
    private List<String> commonOptions() {
        List<String> options = new ArrayList<>();
        if (master != null) {
            options.addAll(List.of("--master", master));
        }
        if (overwrite) {
            options.add("--overwrite");
        }
        if (verbose) {
            options.add("--verbose");
        }
        return options;
    }

    private List<String> sparkPairs() {
        List<String> pairs = new ArrayList<>();
        for (String pair : conf) {
            if (pair.trim().startsWith("spark.")) {
                pairs.add(pair.trim());
            }
        }
        return pairs;
    }

    private String modelName(Settings s) {
        return model != null ? model : s.string("pipeline.model");
    }

    private double budget(Settings s) {
        return budgetMinutes != null ? budgetMinutes : s.number("pipeline.budget_minutes");
    }
}
