package org.sparkbert.engine.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.Losses;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.GradientClipping;
import org.sparkbert.engine.optim.LinearSchedule;
import org.sparkbert.engine.optim.Optimizer;

/**
 * The training loop of one model replica. A step is a function of its global batch only: group.size()
 * replicas x accumulate micro-batches of equal size, replica r's micro-batch m being global micro-batch
 * r * accumulate + m. The MLM loss is the mean over the global batch's masked positions and the
 * sentence loss the mean over its sequences, ELECTRA's discriminator loss the mean over its real
 * tokens times discriminator_weight (each part scaled by the global counts, so the summed
 * gradients do not depend on the split), and a sequence's dropout masks are keyed by (seed, step,
 * site, its index in the global batch). So 1 replica and N replicas at the same global batch compute
 * the same step up to float rounding, and a step is a pure function of the weights, optimiser state,
 * global batch, seed and step number.
 *
 * <p>{@link #step(List, ReplicaGroup)} does it all with an all-reduce; its three phases are public for
 * strategies that run them in different places (gradients on executors, the update on the driver):
 * {@link #count}, {@link #localGradients} and {@link #apply}.
 */
public final class Trainer {
    /**
     * The loss statistics appended to the gradients in {@link #localGradients}'s buffer, after the
     * parameterCount gradient floats, in this order (sums over the replica's micro-batches; summed
     * over the replicas they describe the global batch).
     */
    public static final int MLM_LOSS_SUM = 0,
            MLM_CORRECT = 1,
            PREDICTIONS = 2,
            SENTENCE_LOSS_SUM = 3,
            SENTENCE_CORRECT = 4,
            SEQUENCES = 5,
            TOKENS = 6,
            DETECTION_LOSS_SUM = 7,
            DETECTION_CORRECT = 8,
            DETECTION_TRUE_POSITIVES = 9,
            DETECTION_PREDICTED_POSITIVES = 10,
            REPLACED = 11,
            STATISTICS = 12;

    private final BertModel model;
    private final Optimizer optimizer;
    private final TrainingOptions options;
    private final LinearSchedule schedule;
    private long step;
    /** The all-reduce buffer of {@link #step(List, ReplicaGroup)}, kept between steps. */
    private float[] exchange;

    /** The model must have been built with optimizer.stateSlots() state slots. */
    public Trainer(BertModel model, Optimizer optimizer, TrainingOptions options) {
        this.model = model;
        this.optimizer = optimizer;
        this.options = options;
        this.schedule = new LinearSchedule(options.learningRate(), options.warmupSteps(), options.totalSteps());
        // stateBase throws if the model has too few slots: fail here, not at the first update
        for (int s = 0; s < optimizer.stateSlots(); s++) model.stateBase(s);
    }

    /** Builds a model with the state slots this optimiser needs, initialised from the seed. */
    public static BertModel newModel(
            ModelConfig config,
            String backend,
            int threads,
            Optimizer optimizer,
            int batchSize,
            int seqLength,
            int maxPredictions,
            long seed) {
        return newModel(
                config,
                Backends.create(backend, "auto", threads),
                optimizer,
                batchSize,
                seqLength,
                maxPredictions,
                seed);
    }

    /** A model on a backend made by the caller (for example an OpenCL backend on a chosen device). */
    public static BertModel newModel(
            ModelConfig config,
            Backend backend,
            Optimizer optimizer,
            int batchSize,
            int seqLength,
            int maxPredictions,
            long seed) {
        BertModel model = new BertModel(config, backend, batchSize, seqLength, maxPredictions, optimizer.stateSlots());
        model.initialize(seed);
        return model;
    }

    public long stepsDone() {
        return step;
    }

    /**
     * Continues from a run that had done this many steps (its weights and optimiser state restored by
     * the caller): the learning rate, the optimiser's step count and the dropout keys follow the step.
     */
    public void resumeAt(long stepsDone) {
        if (stepsDone < 0) throw new IllegalArgumentException("steps done " + stepsDone + " < 0");
        this.step = stepsDone;
    }

    /** One optimiser step over options.accumulate() micro-batches: a global batch of one replica. */
    public StepMetrics step(List<Batch> microBatches) {
        try {
            return step(microBatches, ReplicaGroup.single());
        } catch (IOException e) {
            throw new UncheckedIOException("a single replica does not communicate", e);
        }
    }

    /**
     * One optimiser step of the global batch of which this replica holds options.accumulate()
     * micro-batches: counts, gradients and loss statistics are summed over the group, every replica
     * applies the same update and returns the same metrics (of the global batch).
     */
    public StepMetrics step(List<Batch> myMicroBatches, ReplicaGroup group) throws IOException {
        long start = System.nanoTime();
        StepCounts global = count(myMicroBatches);
        if (group.size() > 1) {
            float[] counts = global.toFloats();
            group.allReduce(counts, 0, counts.length);
            global = new StepCounts(exactCount(counts[0]), exactCount(counts[1]), exactCount(counts[2]));
        }
        int firstMicroBatch = group.rank() * options.accumulate();
        float[] statistics = accumulateGradients(myMicroBatches, global, firstMicroBatch);
        if (group.size() == 1) return update(statistics, start);
        if (exchange == null) exchange = new float[model.parameterCount() + STATISTICS];
        pack(statistics, exchange);
        group.allReduce(exchange, 0, exchange.length);
        return applySummed(exchange, start);
    }

    /** This replica's masked positions and sequences (phase 1: sum them over the replicas). */
    public StepCounts count(List<Batch> myMicroBatches) {
        if (myMicroBatches.size() != options.accumulate()) {
            throw new IllegalArgumentException(
                    "a step takes " + options.accumulate() + " micro-batches, got " + myMicroBatches.size());
        }
        StepCounts counts = new StepCounts(0, 0, 0);
        for (Batch b : myMicroBatches)
            counts = counts.plus(new StepCounts(b.predictions(), b.batchSize(), b.realTokens()));
        if (counts.predictions() >= StepCounts.EXACT_IN_FLOAT
                || counts.sequences() >= StepCounts.EXACT_IN_FLOAT
                || counts.tokens() >= StepCounts.EXACT_IN_FLOAT) {
            throw new IllegalArgumentException("a step of " + counts + " is too large to count in floats");
        }
        return counts;
    }

    /**
     * Phase 2, for step stepsDone() + 1: forward and backward on this replica's micro-batches, the
     * first of them being global micro-batch firstGlobalMicroBatch, scaled by the global counts.
     * Returns a new buffer [gradients (parameterCount floats, the model's order) | STATISTICS floats
     * indexed by {@link #MLM_LOSS_SUM} ...]; the sum of all replicas' buffers goes to {@link #apply}.
     */
    public float[] localGradients(List<Batch> myMicroBatches, StepCounts global, int firstGlobalMicroBatch) {
        count(myMicroBatches); // the same checks
        float[] statistics = accumulateGradients(myMicroBatches, global, firstGlobalMicroBatch);
        return pack(statistics, new float[model.parameterCount() + STATISTICS]);
    }

    /**
     * Phase 3: writes the summed gradients of {@link #localGradients}'s layout into the model, clips
     * and applies the optimiser. Returns the global batch's metrics; their seconds are this call's.
     */
    public StepMetrics apply(float[] summed) {
        long start = System.nanoTime();
        int n = model.parameterCount();
        if (summed.length != n + STATISTICS) {
            throw new IllegalArgumentException(
                    "expected " + n + " gradients and " + STATISTICS + " statistics, got " + summed.length + " floats");
        }
        return applySummed(summed, start);
    }

    /** Fills out with [the model's gradients | statistics], {@link #localGradients}'s layout. */
    private float[] pack(float[] statistics, float[] out) {
        int n = model.parameterCount();
        model.backend().read(model.gradientBase(), out, 0, n);
        System.arraycopy(statistics, 0, out, n, STATISTICS);
        return out;
    }

    /** Writes summed gradients of {@link #pack}'s layout into the model and updates with their statistics. */
    private StepMetrics applySummed(float[] summed, long start) {
        int n = model.parameterCount();
        model.backend().write(model.gradientBase(), summed, 0, n);
        return update(Arrays.copyOfRange(summed, n, n + STATISTICS), start);
    }

    /** Zeroes the gradients and adds those of the micro-batches; returns their loss statistics. */
    private float[] accumulateGradients(List<Batch> microBatches, StepCounts global, int firstGlobalMicroBatch) {
        int size = microBatches.get(0).batchSize();
        model.zeroGradients();
        double mlmSum = 0, sentenceSum = 0, detectionSum = 0;
        long mlmCorrect = 0, predictions = 0, sentenceCorrect = 0, sequences = 0, tokens = 0;
        long detectionCorrect = 0, truePositives = 0, predictedPositives = 0, replaced = 0;
        float detectionScale = model.detectionWeight(global.tokens());
        for (int m = 0; m < microBatches.size(); m++) {
            Batch b = microBatches.get(m);
            if (b.batchSize() != size) {
                throw new IllegalArgumentException(
                        "micro-batches of one step must be the same size: " + size + " and " + b.batchSize());
            }
            int firstSequence = Math.multiplyExact(firstGlobalMicroBatch + m, size);
            Losses l = model.forward(
                    b, options.seed(), step, firstSequence, global.mlmScale(), global.sentenceScale(), detectionScale);
            model.backward();
            mlmSum += l.mlmLossSum();
            sentenceSum += l.sentenceLossSum();
            mlmCorrect += l.mlmCorrect();
            predictions += l.predictions();
            sentenceCorrect += l.sentenceCorrect();
            sequences += l.sequences();
            tokens += b.realTokens();
            detectionSum += l.detection().lossSum();
            detectionCorrect += l.detection().correct();
            truePositives += l.detection().truePositives();
            predictedPositives += l.detection().predictedPositives();
            replaced += l.detection().replaced();
        }
        float[] statistics = new float[STATISTICS];
        statistics[MLM_LOSS_SUM] = (float) mlmSum;
        statistics[MLM_CORRECT] = mlmCorrect;
        statistics[PREDICTIONS] = predictions;
        statistics[SENTENCE_LOSS_SUM] = (float) sentenceSum;
        statistics[SENTENCE_CORRECT] = sentenceCorrect;
        statistics[SEQUENCES] = sequences;
        statistics[TOKENS] = tokens;
        statistics[DETECTION_LOSS_SUM] = (float) detectionSum;
        statistics[DETECTION_CORRECT] = detectionCorrect;
        statistics[DETECTION_TRUE_POSITIVES] = truePositives;
        statistics[DETECTION_PREDICTED_POSITIVES] = predictedPositives;
        statistics[REPLACED] = replaced;
        return statistics;
    }

    /**
     * Clips the (global) gradients in the model, applies the optimiser and reports the global batch.
     * A non-finite loss or gradient norm skips the update: the step counts (the data order and the
     * schedule move on) but weights and optimiser state stay as they were.
     */
    private StepMetrics update(float[] s, long start) {
        int predictions = exactCount(s[PREDICTIONS]), sequences = exactCount(s[SEQUENCES]);
        double mlm = predictions == 0 ? 0 : s[MLM_LOSS_SUM] / (double) predictions;
        boolean sentenceTask = model.config().hasSentenceTask();
        double sentence = sentenceTask && sequences > 0 ? s[SENTENCE_LOSS_SUM] / (double) sequences : 0;
        long tokens = exactCount(s[TOKENS]);
        DetectionMetrics detection = model.config().electra()
                ? DetectionMetrics.of(
                        s[DETECTION_LOSS_SUM],
                        exactCount(s[DETECTION_CORRECT]),
                        exactCount(s[DETECTION_TRUE_POSITIVES]),
                        exactCount(s[DETECTION_PREDICTED_POSITIVES]),
                        exactCount(s[REPLACED]),
                        tokens)
                : DetectionMetrics.NONE;
        double detectionTerm = detection.present() ? model.config().discriminatorWeight() * detection.loss() : 0;
        double norm = GradientClipping.norm(model);
        boolean skipped = !Double.isFinite(norm) || !Double.isFinite(mlm + sentence + detectionTerm);
        float lr = schedule.rate(step);
        if (!skipped) {
            if (options.clipNorm() > 0) GradientClipping.scaleTo(model, norm, options.clipNorm());
            optimizer.step(model, lr, step + 1);
        }
        step++;
        return new StepMetrics(
                step,
                mlm + sentence + detectionTerm,
                mlm,
                predictions == 0 ? 0 : s[MLM_CORRECT] / (double) predictions,
                sentenceTask ? sentence : Double.NaN,
                sentenceTask ? s[SENTENCE_CORRECT] / (double) sequences : Double.NaN,
                lr,
                norm,
                tokens,
                predictions,
                (System.nanoTime() - start) / 1e9,
                skipped,
                detection);
    }

    private static int exactCount(float summed) {
        if (summed < 0 || summed >= StepCounts.EXACT_IN_FLOAT || summed != Math.rint(summed)) {
            throw new IllegalStateException("a summed count of " + summed + " is not an exact count");
        }
        return (int) summed;
    }
}
