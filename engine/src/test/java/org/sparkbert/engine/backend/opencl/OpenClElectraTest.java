package org.sparkbert.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.backend.CounterRng;
import org.sparkbert.engine.loop.StepMetrics;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ElectraGoldenTest;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.Optimizer;

/**
 * ELECTRA on the opencl backend (POCL, shared memory off): its two operations against the cpu
 * backend's, PyTorch's golden step, and a short training run whose samples, losses and
 * discriminator statistics follow the cpu backend's.
 */
class OpenClElectraTest {

    @Test
    void operationsMatchTheCpuBackend() {
        try (TwinBackends twins = new TwinBackends(1 << 16, 1 << 12)) {
            int rows = 40, V = 53, T = 16, n = 64;
            int logits = twins.floats(rows * V, 4f);
            int[] positions = new int[rows];
            for (int r = 0; r < rows; r++) positions[r] = 3 * r + r % 2;
            int pos = twins.ints(positions), out = twins.ints(new int[rows]);
            int key = CounterRng.key(9, 4, 123);
            twins.run(b -> b.sampleTokens(out, logits, pos, rows, V, key, 5, T));
            twins.assertIntsEqual("samples", out, rows);

            int z = twins.floats(n, 6f), loss = twins.floats(n, 0f), grad = twins.floats(n, 0f);
            int labels = twins.ints(twins.randomInts(n, 2)), mask = twins.ints(twins.randomInts(n, 2));
            int outcome = twins.ints(new int[n]);
            twins.run(b -> b.binaryCrossEntropy(loss, outcome, grad, z, labels, mask, n, 0.5f));
            twins.assertClose("detection losses", loss, n, 1e-5);
            twins.assertClose("detection logit gradients", grad, n, 1e-5);
            twins.assertIntsEqual("detection outcomes", outcome, n);
        }
    }

    @Test
    void matchesPyTorchGoldenValues() throws IOException {
        ElectraGoldenTest.check(new OpenClBackend(TwinBackends.poclDevice(), 1, false));
    }

    /** A tiny ELECTRA (H 32, generator H 8), batch 4 x 32, dropout 0.1, AdamW: four steps on both backends. */
    @Test
    void followsTheCpuTrainingRun() {
        ModelConfig config = new ModelConfig(
                97, 32, 2, 4, 64, 32, 2, 0.1f, 0.1f, 1e-12f, 0.02f, false, 16, false, ModelConfig.ELECTRA);
        List<Batch> batches = OpenClModelTest.batches(new Random(3), 4, 4, 32, 97);
        StepMetrics[] cpu = train(config, Backends.cpu(2), batches),
                gpu = train(config, OpenClModelTest.openclBackend(), batches);
        for (int s = 0; s < batches.size(); s++) {
            String step = "step " + (s + 1);
            assertEquals(
                    cpu[s].detection().replacedFraction(),
                    gpu[s].detection().replacedFraction(),
                    step + " replaced fraction (the same samples)");
            assertEquals(cpu[s].loss(), gpu[s].loss(), 1e-3 * cpu[s].loss(), step + " loss");
            assertEquals(cpu[s].mlmLoss(), gpu[s].mlmLoss(), 1e-3 * cpu[s].mlmLoss(), step + " generator loss");
            assertEquals(
                    cpu[s].detection().loss(),
                    gpu[s].detection().loss(),
                    1e-3 * cpu[s].detection().loss(),
                    step + " discriminator loss");
            assertEquals(
                    cpu[s].gradientNorm(),
                    gpu[s].gradientNorm(),
                    1e-3 * cpu[s].gradientNorm(),
                    step + " gradient norm");
        }
        assertTrue(cpu[0].detection().replacedFraction() > 0, "the generator replaced tokens");
    }

    private static StepMetrics[] train(ModelConfig config, Backend backend, List<Batch> batches) {
        Optimizer optimizer = Optimizer.named("adamw", 0.01f);
        try (BertModel model = new BertModel(config, backend, 4, 32, 32, optimizer.stateSlots())) {
            model.initialize(3);
            Trainer trainer = new Trainer(model, optimizer, new TrainingOptions(2e-3f, 1, 100, 1, 1.0f, 11));
            StepMetrics[] out = new StepMetrics[batches.size()];
            for (int s = 0; s < batches.size(); s++) out[s] = trainer.step(List.of(batches.get(s)));
            return out;
        }
    }
}
