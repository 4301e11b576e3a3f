package org.sparkbert.evaluate.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkbert.evaluate.finetune.ZeroShotSimilarity;
import org.sparkbert.evaluate.metrics.PublishedScores;
import org.sparkbert.evaluate.perplexity.PerplexityResult;

/** The report's tables, shared by report.md and report.html. */
final class ReportTables {
    private ReportTables() {}

    static Table training(TrainingSummary s) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(
                "steps logged",
                Formats.integer(s.points()) + " (step " + Formats.integer(s.firstStep()) + " to "
                        + Formats.integer(s.lastStep()) + ")"));
        rows.add(List.of(
                "loss, first → last", Formats.number(s.firstLoss(), 4) + " → " + Formats.number(s.lastLoss(), 4)));
        rows.add(List.of(
                "lowest loss", Formats.number(s.minLoss(), 4) + " at step " + Formats.integer(s.minLossStep())));
        rows.add(List.of("MLM accuracy, last", Formats.percent(s.lastMlmAccuracy()) + " %"));
        rows.add(List.of("NSP/SOP accuracy, last", Formats.percent(s.lastNspAccuracy()) + " %"));
        rows.add(List.of(
                "learning rate, peak / last",
                Formats.scientific(s.peakLearningRate()) + " / " + Formats.scientific(s.lastLearningRate())));
        rows.add(List.of("tokens per second, mean", Formats.number(s.meanTokensPerSecond(), 0)));
        rows.add(List.of("elapsed", Formats.duration(s.elapsedSeconds())));
        return new Table(List.of("training", "value"), rows);
    }

    static Table perplexity(List<PerplexityResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (PerplexityResult r : results) {
            rows.add(List.of(
                    Formats.integer(r.step()),
                    Formats.number(r.perplexity(), 3),
                    r.definition(),
                    Formats.integer(r.tokensScored()),
                    Long.toString(r.seed())));
        }
        return new Table(List.of("step", "perplexity", "definition", "tokens scored", "mask seed"), rows);
    }

    static final String HELD_OUT_CAPTION =
            "Cross-entropy in nats over the same masked positions of the validation split."
                    + " Unigram: add-one counts of the training instances, blind to context. Neighbours: P(w | left, right),"
                    + " interpolated Witten-Bell backing off to P(w | left), P(w | right) and the unigram. A model below the"
                    + " neighbour baseline uses more than local statistics.";

    static Table heldOut(HeldOut h) {
        return new Table(
                List.of("scorer", "nats", "perplexity"),
                List.of(
                        List.of(
                                "model (step " + Formats.integer(h.step()) + ")",
                                Formats.number(h.modelNats(), 4),
                                Formats.number(Math.exp(h.modelNats()), 2)),
                        List.of(
                                "two-neighbour counts",
                                Formats.number(h.neighbourNats(), 4),
                                Formats.number(Math.exp(h.neighbourNats()), 2)),
                        List.of(
                                "unigram counts",
                                Formats.number(h.unigramNats(), 4),
                                Formats.number(Math.exp(h.unigramNats()), 2))));
    }

    static Table diagnostics(HeldOut h) {
        return new Table(
                List.of("diagnostic", "value", "reads"),
                List.of(
                        List.of(
                                "anisotropy (mean cosine, different sentences)",
                                Formats.number(h.anisotropy(), 3),
                                "near 1: every token vector points one way"),
                        List.of(
                                "effective rank (Roy & Vetterli)",
                                Formats.number(h.effectiveRank(), 1),
                                "of " + h.hiddenSize() + " dimensions the final hidden states use")));
    }

    static Table glue(GlueTable table) {
        List<String> header = new ArrayList<>(List.of("task", "our dev metrics", "ours", "random init"));
        PublishedScores.reportRows().forEach(m -> header.add(m.name() + " (test)"));
        List<List<String>> rows = new ArrayList<>();
        for (GlueTable.Row row : table.rows()) {
            List<String> cells = new ArrayList<>(List.of(
                    row.task().displayName(),
                    details(row.result().metrics()),
                    Formats.percent(row.result().score()),
                    Formats.percent(row.result().baselineScore())));
            row.published().values().forEach(v -> cells.add(Formats.percent(v)));
            rows.add(cells);
        }
        List<String> average = new ArrayList<>(List.of(
                "average (" + table.rows().size() + " task" + (table.rows().size() == 1 ? "" : "s") + ")",
                "",
                Formats.percent(table.average()),
                Formats.percent(table.baselineAverage())));
        table.publishedAverages().values().forEach(v -> average.add(Formats.percent(v)));
        rows.add(average);
        return new Table(header, rows);
    }

    /** The checkpoint's figures beside random init's, as {@link #glue} sets them; a dash where the run had no baseline. */
    static Table zeroShotStsb(ZeroShotStsb z) {
        return new Table(
                List.of("Spearman", "ours", "random init"),
                List.of(
                        List.of(
                                "raw",
                                Formats.percent(z.checkpoint().spearmanRaw()),
                                Formats.percent(z.baseline(ZeroShotSimilarity.Result::spearmanRaw))),
                        List.of(
                                "whitened",
                                Formats.percent(z.checkpoint().spearmanWhitened()),
                                Formats.percent(z.baseline(ZeroShotSimilarity.Result::spearmanWhitened)))));
    }

    static String zeroShotStsbCaption(ZeroShotStsb z) {
        return "Zero-shot STS-B (cosine of mean-pooled sentence vectors, no fine-tuning), Spearman × 100 over "
                + Formats.integer(z.checkpoint().pairs()) + " dev pairs:";
    }

    /** "acc 83.2, f1 80.1": a task's metrics in percent. */
    static String details(Map<String, Double> metrics) {
        List<String> parts = new ArrayList<>();
        metrics.forEach((k, v) -> parts.add(k + " " + Formats.percent(v)));
        return String.join(", ", parts);
    }

    static String modelLine(RunReport report) {
        if (report.model() == null) {
            return "Model size unknown (no checkpoint config.json).";
        }
        PublishedScores same =
                PublishedScores.sameSize(report.model().layers(), report.model().hidden());
        return String.format(
                Locale.ROOT,
                "Model: %d layers, hidden size %d%s.",
                report.model().layers(),
                report.model().hidden(),
                same == null ? "" : " (the size of " + same.name() + ")");
    }

    static final String GLUE_SEEDS =
            "Over seeds (evaluate glue --seeds): the table's figures are each arm's median run; the"
                    + " paired difference compares seed i of the checkpoint with seed i of random init, with its 95% Student-t interval.";
    static final String GLUE_CONVENTIONS =
            "Scores are percentages. Ours and the random-init baseline are dev-set scores; the published"
                    + " compact BERTs (Turc et al. 2019) are GLUE test-set scores, a yardstick rather than a like-for-like comparison."
                    + " A task's score is its metric, or the mean of its two metrics (MRPC, QQP: accuracy and F1; STS-B: Pearson and"
                    + " Spearman; MNLI: matched and mismatched accuracy). The average is the unweighted mean over the tasks evaluated,"
                    + " WNLI included, as the GLUE leaderboard computes it; the published columns are averaged over the same tasks.";
}
