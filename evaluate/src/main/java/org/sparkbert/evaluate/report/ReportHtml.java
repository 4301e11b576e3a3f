package org.sparkbert.evaluate.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.metrics.PublishedScores;
import org.sparkbert.evaluate.perplexity.PerplexityResult;

/**
 * report.html: one self-contained page (no script, no external file) with the plots drawn as inline
 * SVG at the positions {@link ReportLayout} fixes (absolute, from the page's corner: the plot area itself is
 * not positioned), then the tables of report.md.
 */
final class ReportHtml {
    private static final String STYLE = """
            body { margin: 0; background: #ffffff; color: #222222; font-family: sans-serif; }
            header { height: %dpx; box-sizing: border-box; padding: 14px %dpx; overflow: hidden; border-bottom: 1px solid #dddddd; }
            header h1 { font-size: 22px; margin: 0 0 8px 0; }
            header p { font-size: 13px; margin: 2px 0; color: #555555; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
            .plots { height: %dpx; width: %dpx; }
            main { padding: 0 %dpx 40px %dpx; max-width: %dpx; font-size: 14px; overflow-wrap: anywhere; }
            table { border-collapse: collapse; margin: 8px 0 16px 0; display: block; max-width: 100%%; overflow-x: auto; }
            th, td { border: 1px solid #cccccc; padding: 4px 10px; text-align: left; }
            th { background: #f3f3f3; }
            """;

    private ReportHtml() {}

    static String render(RunReport report) {
        int m = ReportLayout.MARGIN;
        StringBuilder html = new StringBuilder();
        html.append(
                        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Pretraining report: ")
                .append(Svg.escape(report.runName()))
                .append("</title>\n<style>\n")
                .append(String.format(
                        STYLE,
                        ReportLayout.HEADER_HEIGHT,
                        m,
                        ReportLayout.PLOTS_HEIGHT,
                        ReportLayout.PAGE_WIDTH,
                        m,
                        m,
                        ReportLayout.PAGE_WIDTH - 2 * m))
                .append("</style>\n</head>\n<body>\n<header>\n<h1>Pretraining report: ")
                .append(Svg.escape(report.runName()))
                .append("</h1>\n")
                .append("<p>Run directory: ")
                .append(Svg.escape(report.runDir()))
                .append(report.evalDir() == null ? "" : "; evaluation directory: " + Svg.escape(report.evalDir()))
                .append("</p>\n")
                .append("<p>")
                .append(Svg.escape(ReportTables.modelLine(report)))
                .append("</p>\n</header>\n");
        html.append("<div class=\"plots\">\n");
        html.append(lossPlot(report.training(), report.heldOut()))
                .append(learningRatePlot(report.training()))
                .append(accuracyPlot(report.training()))
                .append(perplexityPlot(report.perplexity()))
                .append(gluePlot(GlueTable.of(report.glue())));
        html.append("</div>\n<main>\n");
        html.append("<h2>Training</h2>\n")
                .append(ReportTables.training(TrainingSummary.of(report.training()))
                        .html());
        html.append("<h2>Perplexity</h2>\n")
                .append(
                        report.perplexity().isEmpty()
                                ? "<p>No perplexity results.</p>\n"
                                : ReportTables.perplexity(report.perplexity()).html());
        if (report.heldOut() != null) {
            html.append("<p>Scored: ")
                    .append(Svg.escape(report.heldOut().scored()))
                    .append("</p>\n");
            if (report.heldOut().hasBaselines()) {
                html.append(ReportTables.heldOut(report.heldOut()).html())
                        .append("<p>")
                        .append(Svg.escape(ReportTables.HELD_OUT_CAPTION))
                        .append("</p>\n")
                        .append("<h3>Encoder diagnostics</h3>\n")
                        .append(ReportTables.diagnostics(report.heldOut()).html());
            }
        }
        GlueTable glue = GlueTable.of(report.glue());
        html.append("<h2>GLUE</h2>\n")
                .append(
                        glue.isEmpty()
                                ? "<p>No GLUE results.</p>\n"
                                : ReportTables.glue(glue).html() + "<p>" + Svg.escape(ReportTables.GLUE_CONVENTIONS)
                                        + "</p>\n");
        if (!report.glueSeeds().isEmpty()) {
            html.append("<p>").append(Svg.escape(ReportTables.GLUE_SEEDS)).append("</p>\n<ul>\n");
            report.glueSeeds()
                    .forEach(
                            line -> html.append("<li>").append(Svg.escape(line)).append("</li>\n"));
            html.append("</ul>\n");
        }
        if (report.zeroShotStsb() != null) {
            html.append("<p>")
                    .append(Svg.escape(ReportTables.zeroShotStsbCaption(report.zeroShotStsb())))
                    .append("</p>\n")
                    .append(ReportTables.zeroShotStsb(report.zeroShotStsb()).html());
        }
        if (!report.notes().isEmpty()) {
            html.append("<h2>Notes</h2>\n<ul>\n");
            report.notes()
                    .forEach(n -> html.append("<li>").append(Svg.escape(n)).append("</li>\n"));
            html.append("</ul>\n");
        }
        return html.append("</main>\n</body>\n</html>\n").toString();
    }

    /** Training losses, the validation MLM loss logged during training, and both baselines as horizontal lines. */
    private static String lossPlot(TrainingLog log, HeldOut heldOut) {
        List<Series> series = new ArrayList<>(List.of(
                curve(log, "loss", Palette.LOSS, TrainingPoint::loss),
                curve(log, "MLM loss", Palette.MLM_LOSS, TrainingPoint::mlmLoss),
                curve(log, "NSP/SOP loss", Palette.NSP_LOSS, TrainingPoint::nspLoss)));
        if (!log.validation().isEmpty()) {
            TrainingLog validation = new TrainingLog(log.validation(), 0, false);
            series.add(curve(
                    validation,
                    "validation MLM loss",
                    Palette.VALIDATION_LOSS,
                    p -> Double.isFinite(p.mlmLoss()) ? p.mlmLoss() : p.loss()));
        }
        if (heldOut != null && heldOut.hasBaselines() && !log.isEmpty()) {
            double[] steps = {log.first().step(), log.last().step()};
            series.add(new Series("unigram baseline", Palette.UNIGRAM_BASELINE, steps, new double[] {
                heldOut.unigramNats(), heldOut.unigramNats()
            }));
            series.add(new Series("neighbour baseline", Palette.NEIGHBOUR_BASELINE, steps, new double[] {
                heldOut.neighbourNats(), heldOut.neighbourNats()
            }));
        }
        return LineChart.render(
                ReportLayout.LOSS,
                "Training and validation loss (nats)",
                "step",
                "loss",
                series,
                false,
                "no training steps logged yet");
    }

    private static String learningRatePlot(TrainingLog log) {
        return LineChart.render(
                ReportLayout.LEARNING_RATE,
                "Learning rate",
                "step",
                "learning rate",
                List.of(curve(log, "learning rate", Palette.LEARNING_RATE, TrainingPoint::learningRate)),
                false,
                "no learning rate logged");
    }

    private static String accuracyPlot(TrainingLog log) {
        return LineChart.render(
                ReportLayout.ACCURACY,
                "Pretraining accuracy",
                "step",
                "accuracy",
                List.of(
                        curve(log, "MLM accuracy", Palette.MLM_ACCURACY, TrainingPoint::mlmAccuracy),
                        curve(log, "NSP/SOP accuracy", Palette.NSP_ACCURACY, TrainingPoint::nspAccuracy)),
                false,
                "no accuracy logged");
    }

    private static String perplexityPlot(List<PerplexityResult> results) {
        List<Series> series = new ArrayList<>();
        for (String definition : List.of(PerplexityResult.MLM, PerplexityResult.PSEUDO)) {
            List<PerplexityResult> same = results.stream()
                    .filter(r -> r.definition().equals(definition))
                    .toList();
            if (!same.isEmpty()) {
                series.add(new Series(
                        definition.equals(PerplexityResult.MLM) ? "MLM perplexity" : "pseudo-perplexity",
                        definition.equals(PerplexityResult.MLM) ? Palette.PERPLEXITY : Palette.PSEUDO_PERPLEXITY,
                        same.stream().mapToDouble(PerplexityResult::step).toArray(),
                        same.stream().mapToDouble(PerplexityResult::perplexity).toArray()));
            }
        }
        return LineChart.render(
                ReportLayout.PERPLEXITY,
                "Held-out perplexity by checkpoint",
                "checkpoint step",
                "perplexity",
                series,
                true,
                "no perplexity.json found");
    }

    private static String gluePlot(GlueTable table) {
        List<String> categories = new ArrayList<>();
        table.rows().forEach(r -> categories.add(r.task().displayName()));
        if (!table.isEmpty()) {
            categories.add("Average");
        }
        List<Series> groups = new ArrayList<>();
        groups.add(bars("ours (dev)", Palette.OURS, table, GlueResult::score, table.average()));
        if (table.rows().stream().anyMatch(r -> r.result().hasBaseline())) {
            groups.add(bars(
                    "random init (dev)", Palette.BASELINE, table, GlueResult::baselineScore, table.baselineAverage()));
        }
        List<PublishedScores> published = PublishedScores.reportRows();
        for (int i = 0; i < published.size(); i++) {
            String name = published.get(i).name();
            double[] values = new double[categories.size()];
            for (int t = 0; t < table.rows().size(); t++) {
                values[t] = 100 * table.rows().get(t).published().get(name);
            }
            if (!table.isEmpty()) {
                values[values.length - 1] = 100 * table.publishedAverages().get(name);
            }
            groups.add(new Series(name + " (test)", Palette.PUBLISHED[i], values, values));
        }
        return BarChart.render(ReportLayout.GLUE, "GLUE scores", "score (%)", categories, groups, "no GLUE results");
    }

    private static Series bars(
            String name, String color, GlueTable table, ToDoubleFunction<GlueResult> score, double average) {
        double[] values = new double[table.rows().size() + 1];
        for (int t = 0; t < table.rows().size(); t++) {
            values[t] = 100 * score.applyAsDouble(table.rows().get(t).result());
        }
        values[values.length - 1] = 100 * average;
        return new Series(name, color, values, values);
    }

    private static Series curve(TrainingLog log, String name, String color, ToDoubleFunction<TrainingPoint> value) {
        double[] x = new double[log.points().size()];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = log.points().get(i).step();
            y[i] = value.applyAsDouble(log.points().get(i));
        }
        return new Series(name, color, x, y);
    }
}
