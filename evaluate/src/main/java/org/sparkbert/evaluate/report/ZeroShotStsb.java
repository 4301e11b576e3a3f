package org.sparkbert.evaluate.report;

/**
 * Zero-shot STS-B as {@code evaluate glue} measured it (Spearman of the cosine of mean-pooled sentence
 * vectors with the gold scores, no fine-tuning), raw and whitened, for the checkpoint and for the
 * random-init baseline. Fractions, as in summary.json; the baseline's are NaN when the run had none.
 */
public record ZeroShotStsb(double spearmanRaw, double spearmanWhitened, int pairs, double baselineSpearmanRaw,
                           double baselineSpearmanWhitened) {

    public boolean hasBaseline() {
        return !Double.isNaN(baselineSpearmanRaw);
    }
}
