package org.sparkbert.evaluate.report;

import java.util.List;
import java.util.Map;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.perplexity.PerplexityResult;

/**
 * Everything a report shows, gathered from a run directory and an evaluation directory: the
 * training curve, perplexity per checkpoint (in step order), GLUE dev results per task (in GLUE's task
 * order), zero-shot STS-B when the GLUE run measured it (else null), the model's shape when a checkpoint's
 * config.json says it (else null), notes on what was missing or replaced, and what the newest
 * checkpoint's perplexity.json says it scored with its held-out figures (else null), and the GLUE
 * run's lines over seeds (evaluate glue --seeds: medians, the paired difference, collapsed runs).
 */
public record RunReport(
        String runName,
        String runDir,
        String evalDir,
        TrainingLog training,
        List<PerplexityResult> perplexity,
        Map<GlueTask, GlueResult> glue,
        ZeroShotStsb zeroShotStsb,
        ModelShape model,
        List<String> notes,
        HeldOut heldOut,
        List<String> glueSeeds) {}
