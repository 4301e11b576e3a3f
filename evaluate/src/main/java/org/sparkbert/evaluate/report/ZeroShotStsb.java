package org.sparkbert.evaluate.report;

import java.util.function.ToDoubleFunction;
import org.sparkbert.evaluate.finetune.ZeroShotSimilarity;

/**
 * Zero-shot STS-B as {@code evaluate glue} measured it (Spearman of the cosine of mean-pooled sentence
 * vectors with the gold scores, no fine-tuning), for the checkpoint and for the random-init baseline
 * (null when the run had none).
 */
public record ZeroShotStsb(ZeroShotSimilarity.Result checkpoint, ZeroShotSimilarity.Result baseline) {

    /** A figure of the baseline; NaN, which the report shows as a dash, when the run had none. */
    double baseline(ToDoubleFunction<ZeroShotSimilarity.Result> figure) {
        return baseline == null ? Double.NaN : figure.applyAsDouble(baseline);
    }
}
