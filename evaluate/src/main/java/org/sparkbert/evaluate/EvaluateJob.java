package org.sparkbert.evaluate;

import java.util.Arrays;

/**
 * The {@code evaluate} stage of scripts/pretrain: dispatches to its sub-commands. Today that is
 * {@code report}; the perplexity and GLUE fine-tuning jobs join here when the training engine's
 * model is in place.
 */
public final class EvaluateJob {
    private static final String USAGE = """
            Usage: scripts/pretrain evaluate COMMAND [options]   (COMMAND --help for its options)

            Commands:
              report   report.md, report.html (with plots) and report.json for a run and its evaluations
            """;

    private EvaluateJob() {
    }

    public static int execute(String... args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (args[0].equals("report")) {
            return ReportCommand.execute(rest);
        }
        System.err.println("evaluate: unknown command '" + args[0] + "'.");
        System.err.print(USAGE);
        return 2;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
