package org.sparkbert.evaluate.report;

/** report.md: the same tables as report.html, without the plots. */
final class ReportMarkdown {
    private ReportMarkdown() {}

    static String render(RunReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# Pretraining report: ").append(report.runName()).append("\n\n");
        md.append("Run directory: `").append(report.runDir()).append('`');
        if (report.evalDir() != null) {
            md.append("; evaluation directory: `").append(report.evalDir()).append('`');
        }
        md.append(".\n").append(ReportTables.modelLine(report)).append(" The plots are in report.html.\n\n");

        md.append("## Training\n\n")
                .append(ReportTables.training(TrainingSummary.of(report.training()))
                        .markdown())
                .append('\n');
        md.append("## Perplexity\n\n");
        if (report.perplexity().isEmpty()) {
            md.append("No perplexity results.\n\n");
        } else {
            md.append(ReportTables.perplexity(report.perplexity()).markdown()).append('\n');
        }
        if (report.heldOut() != null) {
            md.append("Scored: ").append(report.heldOut().scored()).append("\n\n");
            if (report.heldOut().hasBaselines()) {
                md.append(ReportTables.heldOut(report.heldOut()).markdown())
                        .append('\n')
                        .append(ReportTables.HELD_OUT_CAPTION)
                        .append("\n\n### Encoder diagnostics\n\n")
                        .append(ReportTables.diagnostics(report.heldOut()).markdown())
                        .append('\n');
            }
        }
        md.append("## GLUE\n\n");
        GlueTable glue = GlueTable.of(report.glue());
        if (glue.isEmpty()) {
            md.append("No GLUE results.\n\n");
        } else {
            md.append(ReportTables.glue(glue).markdown())
                    .append('\n')
                    .append(ReportTables.GLUE_CONVENTIONS)
                    .append("\n\n");
        }
        if (!report.glueSeeds().isEmpty()) {
            md.append(ReportTables.GLUE_SEEDS).append("\n\n");
            report.glueSeeds().forEach(line -> md.append("- ").append(line).append('\n'));
            md.append('\n');
        }
        if (report.zeroShotStsb() != null) {
            md.append(ReportTables.zeroShotStsbCaption(report.zeroShotStsb()))
                    .append("\n\n")
                    .append(ReportTables.zeroShotStsb(report.zeroShotStsb()).markdown())
                    .append('\n');
        }
        if (!report.notes().isEmpty()) {
            md.append("## Notes\n\n");
            report.notes().forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }
}
