package org.sparkbert.engine.loop;

import org.slf4j.Logger;

/** The progress line of a distributed step: step, loss, tokens/s, and the share of the step spent summing gradients. */
public final class ProgressLog {
    private ProgressLog() {
    }

    public static void log(Logger log, String who, StepSummary s, long steps) {
        String reduce = Double.isNaN(s.allReduceSeconds()) || s.seconds() <= 0 ? ""
                : String.format(", all-reduce %.1f%% of the step", 100 * s.allReduceSeconds() / s.seconds());
        log.info(String.format("%s step %d/%d loss %.4f, %.0f tokens/s, %.3f s/step%s", who, s.step(), steps, s.loss(),
                s.seconds() > 0 ? s.tokens() / s.seconds() : 0.0, s.seconds(), reduce));
    }
}
