package org.sparkbert.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.UsageException;

/**
 * Runs the stages in order with a line per stage on the console ("[2/5] vocab: ..."), and stops at
 * the first that does not finish. A stage whose complete output exists finds it and returns at once;
 * the sequence tells that apart from a fresh run by its _REPORT.json, which a skip leaves untouched.
 */
public final class StepSequence {
    private final Configuration conf;
    private final PrintStream console;

    public StepSequence(Configuration conf, PrintStream console) {
        this.conf = conf;
        this.console = console;
    }

    public List<StepOutcome> run(List<PipelineStep> steps) {
        List<StepOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            outcomes.add(runOne(steps.get(i), "[" + (i + 1) + "/" + steps.size() + "] "));
        }
        return outcomes;
    }

    private StepOutcome runOne(PipelineStep step, String position) {
        console.println("pipeline " + position + step.name() + ": " + step.what());
        console.flush();
        String before = step.resumable() ? finishedAt(step.output()) : null;
        long start = System.nanoTime();
        int code = step.action().getAsInt();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (code == StageCommand.EXIT_USAGE) {
            throw new UsageException(
                    "stage " + step.name() + " refused its arguments, settings or output (its message is"
                            + " above); the stages before it are complete and a rerun resumes there.");
        }
        if (code != StageCommand.EXIT_OK) {
            throw new IllegalStateException(
                    "stage " + step.name() + " failed (exit code " + code + "; its message is above)."
                            + " Rerun the same command to resume from it: the finished stages are kept.");
        }
        boolean skipped = before != null && before.equals(finishedAt(step.output()));
        console.println("pipeline " + position + step.name() + ": "
                + (skipped
                        ? "already complete in " + step.output() + ", skipped"
                        : String.format(Locale.ROOT, "done in %.1f s -> %s", seconds, step.output())));
        console.flush();
        return new StepOutcome(step.name(), skipped, seconds);
    }

    /** When the stage's output was committed, or null when it has none yet. */
    private String finishedAt(String dir) {
        try {
            Path path = new Path(dir);
            FileSystem fs = path.getFileSystem(conf);
            JsonNode report = fs.exists(path) ? StageOutput.readReport(fs, path) : null;
            return report == null ? null : report.path("finished").asText(null);
        } catch (IOException e) {
            return null;
        }
    }
}
