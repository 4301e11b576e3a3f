package org.sparkbert.evaluate.glue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Test-set predictions in the form the GLUE server takes: one file per test split, named by
 * {@link GlueSplit#submissionFileName()} ({@code CoLA.tsv}, {@code MNLI-m.tsv}, {@code MNLI-mm.tsv}, ...),
 * a header {@code index\tprediction}, then the test row's index and the label name
 * ({@code entailment}, {@code not_entailment}, {@code 0}, {@code 1}, ...) or, for STS-B, the predicted
 * score with three decimals, unclipped. Rows keep the test file's order.
 */
public final class GlueSubmissionWriter {
    public static final String HEADER = "index\tprediction";

    private GlueSubmissionWriter() {}

    /** Writes class predictions (label indices into the task's labels) for a classification test split. */
    public static void writeLabels(GlueSplit split, List<GlueExample> examples, int[] predicted, OutputStream out)
            throws IOException {
        checkTestSplit(split, examples.size(), predicted.length);
        if (split.task().isRegression()) {
            throw new IllegalArgumentException(split + " takes scores: use writeScores");
        }
        List<String> labels = split.task().labels();
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] < 0 || predicted[i] >= labels.size()) {
                throw new IllegalArgumentException("prediction " + predicted[i] + " for row "
                        + examples.get(i).id() + " of " + split + " is not a label index of " + split.task() + " (0.."
                        + (labels.size() - 1) + ")");
            }
        }
        try (Writer writer = open(out)) {
            for (int i = 0; i < predicted.length; i++) {
                writer.write(examples.get(i).id() + "\t" + labels.get(predicted[i]) + "\n");
            }
        }
    }

    /** Writes STS-B similarity predictions. */
    public static void writeScores(GlueSplit split, List<GlueExample> examples, double[] predicted, OutputStream out)
            throws IOException {
        checkTestSplit(split, examples.size(), predicted.length);
        if (!split.task().isRegression()) {
            throw new IllegalArgumentException(split + " takes label predictions: use writeLabels");
        }
        for (int i = 0; i < predicted.length; i++) {
            if (!Double.isFinite(predicted[i])) {
                throw new IllegalArgumentException("prediction " + predicted[i] + " for row "
                        + examples.get(i).id() + " of " + split + " is not finite");
            }
        }
        try (Writer writer = open(out)) {
            for (int i = 0; i < predicted.length; i++) {
                writer.write(examples.get(i).id() + "\t" + String.format(Locale.ROOT, "%.3f", predicted[i]) + "\n");
            }
        }
    }

    private static void checkTestSplit(GlueSplit split, int examples, int predictions) {
        if (split.submissionName() == null) {
            throw new IllegalArgumentException(split + " is not a test split; only test splits are submitted");
        }
        if (examples != predictions) {
            throw new IllegalArgumentException(
                    split + " has " + examples + " rows but " + predictions + " predictions were given");
        }
    }

    private static Writer open(OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        writer.write(HEADER + "\n");
        return writer;
    }
}
