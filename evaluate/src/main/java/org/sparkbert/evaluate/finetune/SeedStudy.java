package org.sparkbert.evaluate.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.metrics.PairedComparison;
import org.sparkbert.job.StageReport;

/**
 * What evaluate glue --seeds / --lr-grid found for one task: each arm's learning rate (and the slice
 * scores that chose it), every seed's dev score, the collapsed runs, and with a baseline the medians
 * and the paired difference with its 95% interval. Goes into {@code <TASK>.json} as "seeds", into
 * _REPORT.json as {@code <TASK>_median}, {@code <TASK>_difference_low}, ... and into summary.md.
 */
final class SeedStudy {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GlueTask task;
    private final Arm pretrained;
    private final Arm baseline;
    private final PairedComparison comparison;

    SeedStudy(GlueTask task, Arm pretrained, Arm baseline) {
        this.task = task;
        this.pretrained = pretrained;
        this.baseline = baseline;
        this.comparison = baseline == null ? null : PairedComparison.of(pretrained.scores(), baseline.scores());
    }

    GlueTask task() {
        return task;
    }

    void putInto(StageReport report) {
        String t = task.displayName();
        report.put(t + "_seeds", pretrained.scores().length);
        report.put(t + "_lr", pretrained.choice().learningRate());
        report.put(t + "_median", PairedComparison.median(pretrained.scores()));
        report.put(t + "_collapsed", pretrained.collapsedCount());
        if (comparison != null) {
            report.put(t + "_baseline_lr", baseline.choice().learningRate());
            report.put(t + "_baseline_median", comparison.baselineMedian());
            report.put(t + "_baseline_collapsed", baseline.collapsedCount());
            report.put(t + "_difference", comparison.meanDifference());
            report.put(t + "_difference_low", comparison.low());
            report.put(t + "_difference_high", comparison.high());
        }
    }

    /** {@code result} (a GlueResult's JSON) with a "seeds" object added. */
    String withJson(String result) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(result);
            ObjectNode seeds = root.putObject("seeds");
            seeds.set("pretrained", armNode(pretrained));
            if (comparison != null) {
                seeds.set(baseline.name(), armNode(baseline));
                seeds.put("mean_difference", comparison.meanDifference());
                ArrayNode ci = seeds.putArray("difference_ci95");
                ci.add(comparison.low());
                ci.add(comparison.high());
            }
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode armNode(Arm arm) {
        ObjectNode node = JSON.createObjectNode();
        node.put("lr", arm.choice().learningRate());
        if (!arm.choice().sliceScores().isEmpty()) {
            ObjectNode chosen = node.putObject("lr_selection");
            chosen.put("fit_examples", arm.choice().fitExamples());
            chosen.put("slice_examples", arm.choice().sliceExamples());
            ArrayNode grid = chosen.putArray("grid"), scores = chosen.putArray("slice_scores");
            arm.choice().grid().forEach(grid::add);
            arm.choice().sliceScores().forEach(scores::add);
        }
        ArrayNode seeds = node.putArray("seeds"), scores = node.putArray("scores");
        for (int i = 0; i < arm.scores().length; i++) {
            seeds.add(arm.firstSeed() + i);
            scores.add(arm.scores()[i]);
        }
        node.put("median", PairedComparison.median(arm.scores()));
        node.put("collapsed", arm.collapsedCount());
        return node;
    }

    /** One line for logs and summary.md. */
    String line() {
        int n = pretrained.scores().length;
        StringBuilder s = new StringBuilder(String.format(
                Locale.ROOT,
                "%s over %d seed(s): median %.1f (lr %s, %d collapsed)",
                task.displayName(),
                n,
                100 * PairedComparison.median(pretrained.scores()),
                pretrained.choice().learningRate(),
                pretrained.collapsedCount()));
        if (comparison != null) {
            s.append(String.format(
                    Locale.ROOT,
                    ", %s median %.1f (lr %s, %d collapsed); paired difference %+.1f points",
                    baseline.name(),
                    100 * comparison.baselineMedian(),
                    baseline.choice().learningRate(),
                    baseline.collapsedCount(),
                    100 * comparison.meanDifference()));
            if (n > 1)
                s.append(String.format(
                        Locale.ROOT, ", 95%% CI [%+.1f, %+.1f]", 100 * comparison.low(), 100 * comparison.high()));
        }
        return s.toString();
    }
}
