package org.sparkbert.evaluate.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The split of the training set and the arg-max; GlueJobTest checks on real fine-tuning that dev never enters. */
class LearningRateChoiceTest {

    @Test
    void fitsOnTheFirstFourFifthsAndTakesTheBestRateFirstOfTies() {
        List<Integer> fits = new ArrayList<>();
        LearningRateChoice.Choice c =
                LearningRateChoice.choose(List.of(1e-4f, 5e-4f, 2e-3f, 4e-3f), 1000, (lr, fit) -> {
                    fits.add(fit);
                    return lr == 5e-4f || lr == 2e-3f ? 0.8 : 0.6;
                });
        assertEquals(5e-4f, c.learningRate());
        assertEquals(List.of(0.6, 0.8, 0.8, 0.6), c.sliceScores());
        assertEquals(List.of(800, 800, 800, 800), fits);
        assertEquals(800, c.fitExamples());
        assertEquals(200, c.sliceExamples());
    }

    @Test
    void oneRateNeedsNoFineTuningAndTinySetsKeepOneOnEachSide() {
        LearningRateChoice.Choice c = LearningRateChoice.choose(List.of(1e-3f), 10, (lr, fit) -> {
            throw new AssertionError("no selection run for a single rate");
        });
        assertEquals(1e-3f, c.learningRate());
        assertEquals(1, LearningRateChoice.fitExamples(2));
        assertEquals(2, LearningRateChoice.fitExamples(3));
        assertThrows(IllegalArgumentException.class, () -> LearningRateChoice.fitExamples(1));
    }
}
