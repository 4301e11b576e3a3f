package org.sparkbert.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.evaluate.report.ReportWriter;
import org.sparkbert.job.StageOutput;

/**
 * The one-screen summary of a finished pipeline, read back from the stages' _REPORT.json files and
 * the training metrics: what was kept, how large the vocabulary and the instance set are, whether the
 * masked-LM loss went down, the perplexity and GLUE scores against their baseline when those stages
 * ran, and where the report is.
 */
public record PipelineSummary(
        long recordsIn,
        long recordsKept,
        long vocabSize,
        long instances,
        long steps,
        double firstMlmLoss,
        long firstMlmStep,
        double finalMlmLoss,
        double finalMlmAccuracy,
        double perplexity,
        double[] heldOut,
        Map<String, double[]> glue,
        Map<String, String> glueSeeds,
        String reportDir) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static PipelineSummary read(WorkLayout layout, Configuration conf) {
        try {
            FileSystem fs = layout.root().getFileSystem(conf);
            JsonNode ingest = report(fs, layout.dir(WorkLayout.INGEST));
            JsonNode vocab = report(fs, layout.dir(WorkLayout.VOCAB));
            JsonNode instances = report(fs, layout.dir(WorkLayout.INSTANCES));
            JsonNode train = report(fs, layout.dir(WorkLayout.TRAIN));
            JsonNode first = firstMetrics(fs, new Path(layout.dir(WorkLayout.TRAIN), "metrics.jsonl"));
            JsonNode perplexity = optionalReport(fs, layout.perplexity());
            JsonNode glue = optionalReport(fs, layout.dir(WorkLayout.GLUE));
            return new PipelineSummary(
                    ingest.path("records_in").asLong(),
                    ingest.path("records_out").asLong(),
                    vocab.path("counters").path("vocab_size").asLong(),
                    instances.path("counters").path("instances").asLong(),
                    train.path("counters").path("steps").asLong(),
                    first.path("mlm_loss").asDouble(Double.NaN),
                    first.path("step").asLong(),
                    train.path("final_mlm_loss").asDouble(Double.NaN),
                    train.path("final_mlm_accuracy").asDouble(Double.NaN),
                    perplexity.path("perplexity").asDouble(Double.NaN),
                    heldOut(perplexity.path("held_out")),
                    glueScores(glue),
                    glueSeeds(glue),
                    fs.makeQualified(new Path(layout.dir(WorkLayout.REPORT))).toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the stage reports under " + layout.root(), e);
        }
    }

    private static JsonNode report(FileSystem fs, String dir) throws IOException {
        JsonNode report = StageOutput.readReport(fs, new Path(dir));
        if (report == null) {
            throw new IOException(dir + " has no _REPORT.json");
        }
        return report;
    }

    /** The report of a stage the settings may have left out: an empty node when it did not run. */
    private static JsonNode optionalReport(FileSystem fs, String dir) throws IOException {
        Path path = new Path(dir);
        JsonNode report = fs.exists(path) ? StageOutput.readReport(fs, path) : null;
        return report == null ? JSON.createObjectNode() : report;
    }

    /** Each task's score, its random-init baseline's and its dev-set size, as the GLUE stage's report lists them. */
    private static Map<String, double[]> glueScores(JsonNode glue) {
        Map<String, double[]> scores = new TreeMap<>();
        glue.fieldNames().forEachRemaining(field -> {
            if (field.endsWith("_score") && !field.endsWith("_baseline_score")) {
                String task = field.substring(0, field.length() - "_score".length());
                scores.put(task, new double[] {
                    glue.path(field).asDouble(),
                    glue.path(task + "_baseline_score").asDouble(Double.NaN),
                    glue.path("counters").path(task + "_dev_examples").asDouble(Double.NaN)
                });
            }
        });
        return scores;
    }

    /** The held-out masked-LM loss and its unigram and two-neighbour baselines in nats, or null when not scored. */
    private static double[] heldOut(JsonNode h) {
        return h.has("model_nats")
                ? new double[] {
                    h.path("model_nats").asDouble(),
                    h.path("unigram_nats").asDouble(Double.NaN),
                    h.path("neighbour_nats").asDouble(Double.NaN)
                }
                : null;
    }

    /** Each task's line for evaluate glue --seeds: medians, the paired difference with its interval, collapsed runs. */
    private static Map<String, String> glueSeeds(JsonNode glue) {
        Map<String, String> lines = new TreeMap<>();
        glue.fieldNames().forEachRemaining(field -> {
            if (!field.endsWith("_seeds")) return;
            String task = field.substring(0, field.length() - "_seeds".length());
            String line = String.format(
                    Locale.ROOT,
                    "%s over %d seeds: median %.1f (lr %s, %d collapsed)",
                    task,
                    glue.path(field).asInt(),
                    100 * glue.path(task + "_median").asDouble(),
                    glue.path(task + "_lr").asText(),
                    glue.path(task + "_collapsed").asInt());
            if (glue.has(task + "_baseline_median")) {
                line += String.format(
                        Locale.ROOT,
                        ", random-init median %.1f (lr %s, %d collapsed); paired difference %+.1f"
                                + " points, 95%% CI [%+.1f, %+.1f]",
                        100 * glue.path(task + "_baseline_median").asDouble(),
                        glue.path(task + "_baseline_lr").asText(),
                        glue.path(task + "_baseline_collapsed").asInt(),
                        100 * glue.path(task + "_difference").asDouble(),
                        100 * glue.path(task + "_difference_low").asDouble(Double.NaN),
                        100 * glue.path(task + "_difference_high").asDouble(Double.NaN));
            }
            lines.put(task, line);
        });
        return lines;
    }

    private static JsonNode firstMetrics(FileSystem fs, Path metrics) throws IOException {
        try (FSDataInputStream in = fs.open(metrics);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line = reader.readLine();
            if (line == null) {
                throw new IOException(metrics + " is empty");
            }
            return JSON.readTree(line);
        }
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records_in", recordsIn);
        m.put("records_kept", recordsKept);
        m.put("vocab_size", vocabSize);
        m.put("instances", instances);
        m.put("steps", steps);
        m.put("first_mlm_loss", firstMlmLoss);
        m.put("first_mlm_loss_step", firstMlmStep);
        m.put("final_mlm_loss", finalMlmLoss);
        m.put("final_mlm_accuracy", finalMlmAccuracy);
        if (!Double.isNaN(perplexity)) {
            m.put("perplexity", perplexity);
        }
        if (heldOut != null) {
            m.put("held_out_mlm_loss", heldOut[0]);
            m.put("held_out_unigram_nats", heldOut[1]);
            m.put("held_out_two_neighbour_nats", heldOut[2]);
        }
        glue.forEach((task, score) -> {
            m.put(task + "_score", score[0]);
            m.put(task + "_baseline_score", score[1]);
        });
        m.put("report", reportDir);
        return m;
    }

    /**
     * Whether pretraining helped, judged against the noise of a dev set of n examples: one standard
     * error of the difference of two accuracies, sqrt(2 p (1 - p) / n), about 2 points for SST-2's 872
     * sentences (an approximation for the tasks scored by correlation).
     */
    static String verdict(double score, double baseline, double n) {
        double diff = 100 * (score - baseline);
        if (!(n > 0)) {
            return diff > 0 ? "pretraining helped" : "pretraining did NOT help";
        }
        double p = Math.min(1, Math.max(0, (score + baseline) / 2));
        double noise = 100 * Math.sqrt(2 * p * (1 - p) / n);
        String difference = String.format(Locale.ROOT, "%+.1f points, one standard error %.1f", diff, noise);
        if (diff > noise) {
            return "pretraining helped, " + difference;
        }
        return (diff < -noise ? "pretraining did NOT help, " : "no difference beyond noise, ") + difference;
    }

    /** The lines printed at the end of a run. */
    public String text() {
        String trend = finalMlmLoss < firstMlmLoss ? "down" : "NOT down";
        List<String> lines = new ArrayList<>(List.of(
                "pipeline: summary",
                String.format(
                        Locale.ROOT,
                        "  ingest     %,d records read, %,d kept after cleaning and deduplication",
                        recordsIn,
                        recordsKept),
                String.format(Locale.ROOT, "  vocab      %,d WordPiece tokens", vocabSize),
                String.format(Locale.ROOT, "  instances  %,d pretraining instances", instances),
                String.format(
                        Locale.ROOT,
                        "  train      %,d steps; masked-LM loss %.3f (mean of steps 1-%d) -> %.3f at the end (%s),"
                                + " accuracy %.1f%%",
                        steps,
                        firstMlmLoss,
                        firstMlmStep,
                        finalMlmLoss,
                        trend,
                        100 * finalMlmAccuracy)));
        if (!Double.isNaN(perplexity)) {
            lines.add(String.format(Locale.ROOT, "  perplexity %.1f (masked-LM, final checkpoint)", perplexity));
        }
        if (heldOut != null) {
            lines.add(String.format(
                    Locale.ROOT,
                    "  held-out   masked-LM loss %.3f nats: %.3f below the unigram entropy %.3f, %s the"
                            + " two-neighbour count model %.3f",
                    heldOut[0],
                    heldOut[1] - heldOut[0],
                    heldOut[1],
                    heldOut[0] < heldOut[2] ? "below" : "above",
                    heldOut[2]));
        }
        glue.forEach((task, score) -> lines.add(String.format(
                Locale.ROOT,
                "  glue       %s dev %.1f (random-init baseline %.1f: %s)",
                task,
                100 * score[0],
                100 * score[1],
                verdict(score[0], score[1], score[2]))));
        glueSeeds.forEach((task, line) -> lines.add("  glue       " + line));
        lines.add("  report     " + new Path(reportDir, ReportWriter.HTML) + " (and " + ReportWriter.MARKDOWN + ", "
                + ReportWriter.JSON + " beside it)");
        return String.join("\n", lines);
    }
}
