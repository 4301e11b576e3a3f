package org.sparkbert.evaluate.finetune;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One arm of a GLUE comparison (the checkpoint, or random init): its chosen learning rate and, for
 * each seed (firstSeed, firstSeed + 1, ...), the dev metrics, the task score and whether every dev
 * prediction was one class.
 */
record Arm(
        String name,
        LearningRateChoice.Choice choice,
        long firstSeed,
        double[] scores,
        List<Map<String, Double>> runs,
        boolean[] collapsed) {

    /** The metrics of the median run: the middle score, the lower of the two middle ones for an even count. */
    Map<String, Double> medianMetrics() {
        int[] order = IntStream.range(0, scores.length)
                .boxed()
                .sorted(Comparator.comparingDouble(i -> scores[i]))
                .mapToInt(Integer::intValue)
                .toArray();
        return runs.get(order[(scores.length - 1) / 2]);
    }

    int collapsedCount() {
        int n = 0;
        for (boolean c : collapsed) if (c) n++;
        return n;
    }
}
