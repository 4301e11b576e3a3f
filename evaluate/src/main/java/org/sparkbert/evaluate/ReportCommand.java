package org.sparkbert.evaluate;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparkbert.evaluate.report.ReportInputException;
import org.sparkbert.evaluate.report.ReportWriter;
import org.sparkbert.evaluate.report.RunReport;
import org.sparkbert.evaluate.report.RunReportLoader;
import org.sparkbert.job.ProjectVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evaluate report --run RUN_DIR [--eval EVAL_DIR] --output DIR}: report.md, report.html (plots as
 * inline SVG) and report.json from a training run's metrics.jsonl, its perplexity.json files and the
 * GLUE {@code <TASK>.json} results. Reads small files only, so it starts no Spark.
 * Exit codes as every stage: 0 done, 1 failed, 2 bad arguments or inputs (nothing written).
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        versionProvider = ProjectVersion.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Write report.md, report.html and report.json for a pretraining run and its evaluations.")
public final class ReportCommand implements Callable<Integer> {

    @Option(
            names = "--run",
            required = true,
            paramLabel = "RUN_DIR",
            description =
                    "The training run directory (the train stage's output, with metrics.jsonl). Any Hadoop FileSystem URI.")
    String run;

    @Option(
            names = "--eval",
            paramLabel = "EVAL_DIR",
            description = "An evaluation output directory with <TASK>.json GLUE results and perplexity.json files.")
    String eval;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Where report.md, report.html and report.json go.")
    String output;

    // The pipeline writes into a hidden work directory that it renames when done: it names the final one.
    @Option(names = "--output-shown-as", hidden = true, paramLabel = "DIR")
    String outputShownAs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Configuration conf = new Configuration();
        RunReport report;
        try {
            report = new RunReportLoader(conf).load(run, eval);
        } catch (ReportInputException | FileNotFoundException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("report: " + e.getMessage());
            err.flush();
            return 2;
        }
        ReportWriter.write(report, output, conf);
        PrintWriter out = spec.commandLine().getOut();
        out.println("report: wrote " + ReportWriter.MARKDOWN + ", " + ReportWriter.HTML + " and " + ReportWriter.JSON
                + " to " + (outputShownAs != null ? outputShownAs : output));
        report.notes().forEach(n -> out.println("report: note: " + n));
        out.flush();
        return 0;
    }

    /** Runs the command and returns its exit code (for tests and for {@link EvaluateJob}). */
    public static int execute(String... args) {
        return new CommandLine(new ReportCommand()).execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
