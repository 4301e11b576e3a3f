package org.sparkbert.engine.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.RandomBatch;
import org.sparkbert.engine.optim.Optimizer;

/** A tiny NSP model with dropout on, and batches that are a pure function of the step, for resume tests. */
final class TrainingStates {

    static final ModelConfig TINY =
            new ModelConfig(97, 24, 2, 4, 48, 16, 2, 0.1f, 0.1f, 1e-12f, 0.02f, false, 24, false, "nsp");
    static final int B = 4, T = 12, ACCUMULATE = 2;
    static final TrainingConfig CONFIG =
            TrainingConfig.of(Map.of("lr", 1e-3f, "seed", 99, "replicas", 1), Map.of("threads", 2));

    private TrainingStates() {}

    static BertModel model(Optimizer optimizer, long initSeed) {
        return Trainer.newModel(TINY, "cpu", 2, optimizer, B, T, 8, initSeed);
    }

    static Trainer trainer(BertModel model, Optimizer optimizer, long totalSteps) {
        return new Trainer(model, optimizer, new TrainingOptions(1e-3f, 1, totalSteps, ACCUMULATE, 1.0f, 99));
    }

    /** Runs the trainer up to step {@code until}, with the batches of those steps. */
    static void trainUntil(Trainer trainer, long until) {
        while (trainer.stepsDone() < until) {
            long step = trainer.stepsDone();
            List<Batch> micro = new ArrayList<>();
            for (int m = 0; m < ACCUMULATE; m++) {
                micro.add(RandomBatch.of(new Random(1000 * step + m), B, T, 2, TINY.vocabSize()));
            }
            trainer.step(micro);
        }
    }

    /** Parameters and every optimiser state slot (not the gradients, which the next step recomputes). */
    static float[] weightsAndMoments(BertModel model, Optimizer optimizer) {
        int n = model.parameterCount();
        float[] all = new float[n * (1 + optimizer.stateSlots())];
        model.backend().read(0, all, 0, n);
        for (int s = 0; s < optimizer.stateSlots(); s++) {
            model.backend().read(model.stateBase(s), all, n * (1 + s), n);
        }
        return all;
    }

    static TrainerState state(long step) {
        return new TrainerState(step, step / 10.0, 0, step * B * ACCUMULATE, 99, CONFIG);
    }
}
