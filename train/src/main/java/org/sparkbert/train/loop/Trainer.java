package org.sparkbert.train.loop;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.sparkbert.train.engine.Backend;
import org.sparkbert.train.model.Batch;
import org.sparkbert.train.model.BertModel;
import org.sparkbert.train.model.Losses;
import org.sparkbert.train.model.ModelConfig;
import org.sparkbert.train.optim.GradientClipping;
import org.sparkbert.train.optim.LinearSchedule;
import org.sparkbert.train.optim.Optimizer;

/**
 * The single-process training loop: each step zeroes the gradients, runs forward and backward on
 * `accumulate` micro-batches (losses scaled by 1/accumulate), clips the global norm, and applies the
 * optimiser at the scheduled learning rate. Dropout masks are keyed by (seed, step, micro-batch),
 * so a step is a pure function of the weights, optimiser state, batches, seed and step number.
 */
public final class Trainer {
    private final BertModel model;
    private final Optimizer optimizer;
    private final TrainingOptions options;
    private final LinearSchedule schedule;
    private long step;

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
    public static BertModel newModel(ModelConfig config, String backend, int threads,
                                     Optimizer optimizer, int batchSize, int seqLength, int maxPredictions, long seed) {
        return newModel(config, Backend.create(backend, threads), optimizer, batchSize, seqLength, maxPredictions, seed);
    }

    /** A model on a backend made by the caller (for example an OpenCL backend on a chosen device). */
    public static BertModel newModel(ModelConfig config, Backend backend,
                                     Optimizer optimizer, int batchSize, int seqLength, int maxPredictions, long seed) {
        BertModel model = new BertModel(config, backend, batchSize, seqLength, maxPredictions, optimizer.stateSlots());
        model.initialize(seed);
        return model;
    }

    public long stepsDone() { return step; }

    /**
     * Continues from a run that had done this many steps (its weights and optimiser state restored by
     * the caller): the learning rate, the optimiser's step count and the dropout keys follow the step.
     */
    public void resumeAt(long stepsDone) {
        if (stepsDone < 0) throw new IllegalArgumentException("steps done " + stepsDone + " < 0");
        this.step = stepsDone;
    }

    /** One optimiser step over options.accumulate() micro-batches. */
    public StepMetrics step(List<Batch> microBatches) {
        if (microBatches.size() != options.accumulate()) {
            throw new IllegalArgumentException("a step takes " + options.accumulate() + " micro-batches, got " + microBatches.size());
        }
        long start = System.nanoTime();
        model.zeroGradients();
        double loss = 0, mlm = 0, sentence = 0;
        int mlmCorrect = 0, predictions = 0, sentenceCorrect = 0, sequences = 0;
        long tokens = 0;
        float scale = 1f / options.accumulate();
        for (int i = 0; i < microBatches.size(); i++) {
            Batch b = microBatches.get(i);
            Losses l = model.forward(b, options.seed(), step * options.accumulate() + i, scale);
            model.backward();
            loss += l.loss() / options.accumulate();
            mlm += l.mlmLoss() / options.accumulate();
            sentence += l.sentenceLoss() / options.accumulate();
            mlmCorrect += l.mlmCorrect();
            predictions += l.predictions();
            sentenceCorrect += l.sentenceCorrect();
            sequences += l.sequences();
            tokens += b.realTokens();
        }
        double norm = options.clipNorm() > 0 ? GradientClipping.clip(model, options.clipNorm()) : Double.NaN;
        float lr = schedule.rate(step);
        optimizer.step(model, lr, step + 1);
        step++;
        boolean sentenceTask = model.config().hasSentenceTask();
        return new StepMetrics(step, loss, mlm, predictions == 0 ? 0 : (double) mlmCorrect / predictions,
                sentenceTask ? sentence : Double.NaN, sentenceTask ? (double) sentenceCorrect / sequences : Double.NaN,
                lr, norm, tokens, predictions, (System.nanoTime() - start) / 1e9);
    }

    /** Runs steps until `steps` are done or the batches run out; each step's metrics go to the listener. */
    public void run(Iterator<Batch> batches, long steps, Consumer<StepMetrics> listener) {
        List<Batch> micro = new ArrayList<>(options.accumulate());
        while (step < steps) {
            micro.clear();
            while (micro.size() < options.accumulate() && batches.hasNext()) micro.add(batches.next());
            if (micro.size() < options.accumulate()) return;
            listener.accept(step(micro));
        }
    }
}
