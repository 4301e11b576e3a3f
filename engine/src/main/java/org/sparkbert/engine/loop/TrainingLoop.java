package org.sparkbert.engine.loop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one training loop, whoever runs it (the driver's single replica, each rank of a barrier stage,
 * the tree strategy's driver): resume point, steps, metrics, checkpoint cadence, final checkpoint.
 * The Spark shell only builds the replica, the step function and the coordination, and calls
 * {@link #run}, as XGBoost4J-Spark's Spark layer calls the engine's train.
 *
 * <p>A step whose loss or gradient norm is not finite has changed nothing (the trainer skips the
 * update); every replica sees the same summed values, so all skip it together. After
 * {@link RunPlan#maxNonFiniteSteps()} such steps in a row the run stops, before any checkpoint holds
 * them, naming the steps.
 *
 * <p>A checkpoint every {@link RunPlan#checkpointMinutes()} becomes a step cadence after the first
 * {@link #CALIBRATION_STEPS} steps: the writer turns its measured step time into steps and every
 * replica takes that number, so all of them checkpoint after the same steps.
 *
 * @param <R> the replica whose state the checkpoints hold
 */
public final class TrainingLoop<R extends Replica> {
    static final int CALIBRATION_STEPS = 10;
    private final RunPlan plan;
    private final R replica;
    private final ReplicaCheckpoints<R> checkpoints;
    private final RunCoordination coordination;
    private HeldOutEvaluation evaluation;
    private long evaluateEvery;

    /** checkpoints may be null: a run without checkpoints (a benchmark, a test). */
    public TrainingLoop(RunPlan plan, R replica, ReplicaCheckpoints<R> checkpoints, RunCoordination coordination) {
        this.plan = plan;
        this.replica = replica;
        this.checkpoints = checkpoints;
        this.coordination = coordination;
    }

    /**
     * The writer also scores this held-out set every {@code every} steps (0: only after the last)
     * and after the last step, on a model of its own; null for none.
     */
    public TrainingLoop<R> evaluating(HeldOutEvaluation evaluation, long every) {
        this.evaluation = evaluation;
        this.evaluateEvery = every;
        return this;
    }

    public LoopResult run(StepFunction steps, StepListener listener) throws IOException {
        long from = resume();
        boolean writes = coordination.writes();
        if (writes) listener.started(from);
        List<StepSummary> summaries = new ArrayList<>();
        long skipped = 0, nonFiniteInARow = 0, timedEvery = 0;
        double calibrationSeconds = 0;
        for (long step = from; step < plan.steps(); step++) {
            coordination.beforeStep(step);
            long start = System.nanoTime();
            StepSummary summary = steps.step(step);
            summary = summary.withTimes((System.nanoTime() - start) / 1e9, steps.takeAllReduceSeconds());
            if (writes) {
                summaries.add(summary);
                listener.step(summary);
            }
            if (writes
                    && evaluation != null
                    && (step + 1 == plan.steps() || evaluateEvery > 0 && (step + 1) % evaluateEvery == 0)) {
                listener.evaluated(evaluation.evaluate(step + 1, replica.weights()));
            }
            if (summary.skipped()) {
                skipped++;
                if (++nonFiniteInARow >= plan.maxNonFiniteSteps()) {
                    throw new NonFiniteTrainingException("steps " + (step + 2 - nonFiniteInARow) + " to " + (step + 1)
                            + " had a non-finite loss or gradient norm (" + nonFiniteInARow
                            + " in a row; each was skipped):"
                            + " lower --lr, raise --warmup-steps or keep --clip-norm on; the newest checkpoint holds the last"
                            + " finite weights");
                }
            } else {
                nonFiniteInARow = 0;
            }
            if (step > from) calibrationSeconds += summary.seconds(); // the first step warms up
            if (plan.checkpointMinutes() > 0 && step + 1 == from + CALIBRATION_STEPS) {
                long proposal = Math.max(
                        1,
                        Math.round(plan.checkpointMinutes()
                                * 60
                                * (CALIBRATION_STEPS - 1)
                                / Math.max(calibrationSeconds, 1e-9)));
                timedEvery = coordination.agree(writes ? proposal : 0);
            }
            long sinceCalibration = step + 1 - from - CALIBRATION_STEPS;
            boolean timed = timedEvery > 0 && sinceCalibration > 0 && sinceCalibration % timedEvery == 0;
            if (checkpoints != null && (plan.checkpointAfter(step + 1) || timed)) {
                if (writes) checkpoints.save(step + 1, replica);
                coordination.afterCheckpoint(step + 1);
            }
        }
        return new LoopResult(from, summaries, skipped);
    }

    /** The step every replica resumes from: the newest checkpoint the writer finds, loaded by all. */
    private long resume() throws IOException {
        long proposal = checkpoints != null && coordination.writes()
                ? checkpoints.latestStep().orElse(0)
                : 0;
        long step = coordination.agree(proposal);
        if (step > plan.steps()) {
            throw new IllegalStateException(
                    "the newest checkpoint is of step " + step + ", beyond the run's " + plan.steps() + " steps");
        }
        if (step > 0) checkpoints.restore(step, replica);
        return step;
    }
}
