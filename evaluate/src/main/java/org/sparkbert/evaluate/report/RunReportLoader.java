package org.sparkbert.evaluate.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.evaluate.finetune.GlueSummary;
import org.sparkbert.evaluate.finetune.ZeroShotSimilarity;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.perplexity.PerplexityResult;

/**
 * Gathers a {@link RunReport} through the Hadoop FileSystem API (so run directories on HDFS work as
 * local ones do):
 * <ul>
 *   <li>{@code RUN/metrics.jsonl}, required;</li>
 *   <li>every {@code perplexity.json} under RUN and EVAL (down to {@value #SEARCH_DEPTH} levels), its step
 *       taken from the file or else from a {@code step-N} directory around it;</li>
 *   <li>{@code EVAL/<TASK>.json} for each GLUE task present;</li>
 *   <li>zero-shot STS-B from {@code EVAL/summary.json}, when the GLUE run measured it;</li>
 *   <li>the model's shape from the newest {@code RUN/checkpoints/step-N/config.json}, else {@code RUN/config.json}.</li>
 * </ul>
 */
public final class RunReportLoader {
    static final int SEARCH_DEPTH = 4;
    private static final Pattern STEP_DIRECTORY = Pattern.compile("step-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Configuration conf;
    private final List<String> notes = new ArrayList<>();
    private HeldOut heldOut;

    public RunReportLoader(Configuration conf) {
        this.conf = conf;
    }

    /** {@code evalDir} may be null: then only the run directory is read. */
    public RunReport load(String runDir, String evalDir) throws IOException {
        Path run = new Path(runDir);
        FileSystem runFs = run.getFileSystem(conf);
        Path metrics = new Path(run, TrainingLogReader.FILE_NAME);
        if (!isFile(runFs, metrics)) {
            throw new ReportInputException(
                    metrics + " does not exist: --run must be a training run directory (the train stage's output)");
        }
        TrainingLog training = TrainingLogReader.parse(read(runFs, metrics), metrics.toString());
        noteTraining(training, metrics);

        List<PerplexityResult> perplexity = new ArrayList<>();
        collectPerplexity(runFs, run, SEARCH_DEPTH, perplexity);
        Map<GlueTask, GlueResult> glue = new EnumMap<>(GlueTask.class);
        ZeroShotStsb zeroShot = null;
        List<String> glueSeeds = new ArrayList<>();
        if (evalDir != null) {
            Path eval = new Path(evalDir);
            FileSystem evalFs = eval.getFileSystem(conf);
            if (!evalFs.getFileStatus(eval).isDirectory()) {
                throw new ReportInputException(
                        eval + " is not a directory: --eval must be an evaluation output directory");
            }
            collectPerplexity(evalFs, eval, SEARCH_DEPTH, perplexity);
            collectGlue(evalFs, eval, glue);
            zeroShot = zeroShotStsb(evalFs, eval);
            Path summary = new Path(eval, GlueSummary.JSON_FILE);
            if (isFile(evalFs, summary))
                JSON.readTree(read(evalFs, summary)).path(GlueSummary.SEEDS).forEach(l -> glueSeeds.add(l.asText()));
        }
        perplexity.sort(Comparator.comparingLong(PerplexityResult::step));
        if (perplexity.isEmpty()) {
            notes.add("No perplexity.json found under the run" + (evalDir == null ? "" : " or evaluation")
                    + " directory.");
        }
        if (glue.isEmpty()) {
            notes.add(
                    evalDir == null
                            ? "No --eval directory given: no GLUE results."
                            : "No <TASK>.json GLUE results in " + evalDir + ".");
        }
        ModelShape model = modelShape(runFs, run);
        return new RunReport(
                run.getName(),
                runDir,
                evalDir,
                training,
                perplexity,
                glue,
                zeroShot,
                model,
                List.copyOf(notes),
                heldOut,
                List.copyOf(glueSeeds));
    }

    private void noteTraining(TrainingLog training, Path metrics) {
        if (training.isEmpty()) {
            notes.add(metrics + " has no lines yet.");
        }
        if (training.replacedSteps() > 0) {
            notes.add(training.replacedSteps()
                    + " steps were logged twice (a resumed run); the later line of each was kept.");
        }
        if (training.truncatedLastLine()) {
            notes.add("The last line of " + metrics + " was cut off (an interrupted write) and was left out.");
        }
    }

    private void collectPerplexity(FileSystem fs, Path dir, int depth, List<PerplexityResult> into) throws IOException {
        for (FileStatus status : fs.listStatus(dir)) {
            Path path = status.getPath();
            if (status.isDirectory()
                    && depth > 1
                    && !path.getName().startsWith(".")
                    && !path.getName().startsWith("_")) {
                collectPerplexity(fs, path, depth - 1, into);
            } else if (status.isFile() && path.getName().equals(PerplexityResult.FILE_NAME)) {
                into.add(perplexity(fs, path));
            }
        }
    }

    /** Keeps the held-out figures of the newest checkpoint's perplexity.json that has them. */
    private void noteHeldOut(String text, long step) {
        HeldOut figures = HeldOut.fromJson(text, step);
        if (figures != null && (heldOut == null || figures.step() >= heldOut.step())) {
            heldOut = figures;
        }
    }

    private PerplexityResult perplexity(FileSystem fs, Path file) throws IOException {
        PerplexityResult result = stepped(fs, file);
        noteHeldOut(read(fs, file), result.step());
        return result;
    }

    private static PerplexityResult stepped(FileSystem fs, Path file) throws IOException {
        PerplexityResult result;
        try {
            result = PerplexityResult.fromJson(read(fs, file), file.toString());
        } catch (IllegalArgumentException e) {
            throw new ReportInputException(e.getMessage(), e);
        }
        if (result.step() >= 0) {
            return result;
        }
        for (Path p = file.getParent(); p != null; p = p.getParent()) {
            Matcher m = STEP_DIRECTORY.matcher(p.getName());
            if (m.matches()) {
                return result.withStep(Long.parseLong(m.group(1)));
            }
        }
        Matcher m =
                STEP_DIRECTORY.matcher(new Path(result.checkpoint().isEmpty() ? "/" : result.checkpoint()).getName());
        if (m.matches()) {
            return result.withStep(Long.parseLong(m.group(1)));
        }
        throw new ReportInputException(
                file + ": no \"step\", and neither the file's directories nor its \"checkpoint\" are named step-N;"
                        + " add \"step\" so the report can place it on the training curve");
    }

    private static void collectGlue(FileSystem fs, Path eval, Map<GlueTask, GlueResult> into) throws IOException {
        for (GlueTask task : GlueTask.values()) {
            Path file = new Path(eval, GlueResult.fileName(task));
            if (!isFile(fs, file)) {
                continue;
            }
            GlueResult result;
            try {
                result = GlueResult.fromJson(read(fs, file), file.toString());
            } catch (IllegalArgumentException e) {
                throw new ReportInputException(e.getMessage(), e);
            }
            if (result.task() != task) {
                throw new ReportInputException(file + ": holds results of " + result.task() + ", not " + task);
            }
            into.put(task, result);
        }
    }

    /** summary.json is the only file with the figures; null when it has none (no STS-B among the tasks, or no GLUE run). */
    private static ZeroShotStsb zeroShotStsb(FileSystem fs, Path eval) throws IOException {
        Path file = new Path(eval, GlueSummary.JSON_FILE);
        if (!isFile(fs, file)) {
            return null;
        }
        JsonNode node = JSON.readTree(read(fs, file)).path("zero_shot_stsb");
        if (node.isMissingNode()) {
            return null;
        }
        if (!node.path("spearmanr_raw").isNumber()
                || !node.path("spearmanr_whitened").isNumber()
                || !node.path("pairs").canConvertToInt()) {
            throw new ReportInputException(file
                    + ": \"zero_shot_stsb\" needs numbers \"spearmanr_raw\", \"spearmanr_whitened\" and \"pairs\"");
        }
        int pairs = node.get("pairs").asInt();
        ZeroShotSimilarity.Result checkpoint = new ZeroShotSimilarity.Result(
                node.get("spearmanr_raw").asDouble(),
                node.get("spearmanr_whitened").asDouble(),
                pairs);
        // Summaries of runs without --baseline (or written before it scored zero-shot STS-B) have no baseline keys.
        ZeroShotSimilarity.Result baseline = node.has("baseline_spearmanr_raw")
                ? new ZeroShotSimilarity.Result(
                        node.get("baseline_spearmanr_raw").asDouble(),
                        node.path("baseline_spearmanr_whitened").asDouble(Double.NaN),
                        pairs)
                : null;
        return new ZeroShotStsb(checkpoint, baseline);
    }

    private ModelShape modelShape(FileSystem fs, Path run) throws IOException {
        Path config = newestCheckpointConfig(fs, run);
        if (config == null) {
            config = new Path(run, "config.json");
            if (!isFile(fs, config)) {
                notes.add("No checkpoint config.json in the run directory: the model's size is unknown.");
                return null;
            }
        }
        JsonNode node = JSON.readTree(read(fs, config));
        if (!node.path("num_hidden_layers").canConvertToInt()
                || !node.path("hidden_size").canConvertToInt()) {
            throw new ReportInputException(
                    config + ": expected \"num_hidden_layers\" and \"hidden_size\" as a Hugging Face BERT config has");
        }
        return new ModelShape(
                node.get("num_hidden_layers").asInt(), node.get("hidden_size").asInt());
    }

    private static Path newestCheckpointConfig(FileSystem fs, Path run) throws IOException {
        Path checkpoints = new Path(run, "checkpoints");
        if (!fs.exists(checkpoints)) {
            return null;
        }
        Path newest = null;
        long newestStep = -1;
        for (FileStatus status : fs.listStatus(checkpoints)) {
            Matcher m = STEP_DIRECTORY.matcher(status.getPath().getName());
            Path config = new Path(status.getPath(), "config.json");
            if (status.isDirectory() && m.matches() && Long.parseLong(m.group(1)) > newestStep && isFile(fs, config)) {
                newestStep = Long.parseLong(m.group(1));
                newest = config;
            }
        }
        return newest;
    }

    private static boolean isFile(FileSystem fs, Path path) throws IOException {
        try {
            return fs.getFileStatus(path).isFile();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    private static String read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
