package org.sparkbert.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PipelineSummaryTest {

    /** SST-2's 872 dev sentences at about 75% accuracy: one standard error of a difference is 2.1 points. */
    @Test
    void aDifferenceWithinOneStandardErrorIsNotCalledHelp() {
        assertEquals(
                "no difference beyond noise, +0.1 points, one standard error 2.1",
                PipelineSummary.verdict(0.7489, 0.7477, 872));
        assertEquals(
                "pretraining helped, +6.0 points, one standard error 2.0", PipelineSummary.verdict(0.80, 0.74, 872));
        assertEquals(
                "pretraining did NOT help, -4.0 points, one standard error 2.2",
                PipelineSummary.verdict(0.70, 0.74, 872));
    }

    @Test
    void withoutTheDevSizeOnlyTheSignIsJudged() {
        assertEquals("pretraining helped", PipelineSummary.verdict(0.75, 0.74, Double.NaN));
        assertEquals("pretraining did NOT help", PipelineSummary.verdict(0.74, 0.74, Double.NaN));
    }
}
