package org.sparkbert.evaluate.report;

/** The headline figures of a training curve; NaN where the log has no such value. */
public record TrainingSummary(
        int points,
        long firstStep,
        long lastStep,
        double firstLoss,
        double lastLoss,
        double minLoss,
        long minLossStep,
        double peakLearningRate,
        double lastLearningRate,
        double meanTokensPerSecond,
        double elapsedSeconds,
        double lastMlmAccuracy,
        double lastNspAccuracy) {

    public static TrainingSummary of(TrainingLog log) {
        if (log.isEmpty()) {
            return new TrainingSummary(
                    0,
                    -1,
                    -1,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    -1,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN);
        }
        double minLoss = Double.NaN;
        long minLossStep = -1;
        double peakLr = Double.NaN;
        double tokensSum = 0;
        int tokensCount = 0;
        for (TrainingPoint p : log.points()) {
            if (Double.isFinite(p.loss()) && !(p.loss() >= minLoss)) {
                minLoss = p.loss();
                minLossStep = p.step();
            }
            if (Double.isFinite(p.learningRate()) && !(p.learningRate() <= peakLr)) {
                peakLr = p.learningRate();
            }
            if (Double.isFinite(p.tokensPerSecond())) {
                tokensSum += p.tokensPerSecond();
                tokensCount++;
            }
        }
        TrainingPoint first = log.first();
        TrainingPoint last = log.last();
        return new TrainingSummary(
                log.points().size(),
                first.step(),
                last.step(),
                first.loss(),
                last.loss(),
                minLoss,
                minLossStep,
                peakLr,
                last.learningRate(),
                tokensCount == 0 ? Double.NaN : tokensSum / tokensCount,
                last.elapsedSeconds(),
                last.mlmAccuracy(),
                last.nspAccuracy());
    }
}
