package org.sparkbert.evaluate.finetune;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks a fine-tuning learning rate from a small grid on a slice of the TRAINING set: each rate
 * fine-tunes on the first part of the training examples and is scored on the rest (the last
 * {@link #SLICE_FRACTION} of them). Dev never enters: the scorer is handed training examples only, so
 * the dev figures reported afterwards are not tuned on.
 */
public final class LearningRateChoice {
    /** Share of the training examples held back to score the rates. */
    public static final double SLICE_FRACTION = 0.2;

    /** Fine-tunes at {@code lr} on {@code fit} (the first {@code fit} training examples) and scores the rest. */
    public interface SliceScorer {
        double score(float lr, int fit);
    }

    /** The chosen rate, and each rate's score on the slice in the grid's order. */
    public record Choice(
            float learningRate, List<Float> grid, List<Double> sliceScores, int fitExamples, int sliceExamples) {}

    private LearningRateChoice() {}

    /** How many of n training examples the rates are fitted on (the rest is the slice); at least one each. */
    public static int fitExamples(int n) {
        if (n < 2)
            throw new IllegalArgumentException("choosing a learning rate needs at least 2 training examples, got " + n);
        return Math.max(1, Math.min(n - 1, (int) Math.round(n * (1 - SLICE_FRACTION))));
    }

    /** The best-scoring rate (the first of equal ones); a grid of one rate is returned without fine-tuning. */
    public static Choice choose(List<Float> grid, int trainingExamples, SliceScorer scorer) {
        if (grid.isEmpty()) throw new IllegalArgumentException("the learning-rate grid is empty");
        int fit = fitExamples(trainingExamples);
        if (grid.size() == 1) return new Choice(grid.get(0), grid, List.of(), fit, trainingExamples - fit);
        List<Double> scores = new ArrayList<>();
        int best = 0;
        for (int i = 0; i < grid.size(); i++) {
            scores.add(scorer.score(grid.get(i), fit));
            if (scores.get(i) > scores.get(best)) best = i;
        }
        return new Choice(grid.get(best), grid, List.copyOf(scores), fit, trainingExamples - fit);
    }
}
