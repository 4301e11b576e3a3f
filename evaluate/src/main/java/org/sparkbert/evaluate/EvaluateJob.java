package org.sparkbert.evaluate;

import java.util.Arrays;
import org.sparkbert.evaluate.finetune.GlueJob;
import org.sparkbert.evaluate.perplexity.PerplexityJob;
import org.sparkbert.job.ProjectVersion;
import org.sparkbert.job.SparkSessions;
import org.sparkbert.job.StageCommand;

/**
 * The {@code evaluate} stage of scripts/pretrain: dispatches to its sub-commands (perplexity and
 * GLUE fine-tuning are Spark stages with their own _REPORT.json; report reads small files only).
 */
public final class EvaluateJob {
    private static final String USAGE = """
            Usage: scripts/pretrain evaluate COMMAND [options]   (COMMAND --help for its options)

            Commands:
              perplexity  masked-LM perplexity (or --pseudo) of a checkpoint on held-out text
              glue        GLUE fine-tuning of a checkpoint (and a random-init baseline) with each task's dev metrics
              report   report.md, report.html (with plots) and report.json for a run and its evaluations
            """;

    private EvaluateJob() {}

    public static int execute(String... args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version") || args[0].equals("-V")) {
            System.out.println(ProjectVersion.line());
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "report":
                return ReportCommand.execute(rest);
            case "perplexity":
                return StageCommand.execute(new PerplexityJob(), rest);
            case "glue":
                return StageCommand.execute(new GlueJob(), rest);
            default:
                break;
        }
        System.err.println("evaluate: unknown command '" + args[0] + "'.");
        System.err.print(USAGE);
        return 2;
    }

    public static void main(String[] args) {
        int code = execute(args);
        SparkSessions.stopIfStarted();
        System.exit(code);
    }
}
