package org.sparkbert.bench.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.sparkbert.engine.backend.opencl.DeviceCounters;
import org.sparkbert.engine.backend.opencl.OpenClBackend;
import org.sparkbert.engine.backend.opencl.OpenClDevices;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.RandomBatch;
import org.sparkbert.engine.optim.Optimizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A full training step (forward, backward, clipping, AdamW) of a bundled model on the opencl
 * backend, printed as one JSON object: step time, and per step the kernels launched, the bytes put
 * to and got from the device, beside the model's parameter bytes (which never cross the bus), and
 * the seconds each operation took.
 *
 * <pre>OpenClStepBenchmark [--model bert-tiny] [--device auto] [--batch 8] [--seq 128] [--predictions 20]
 *                     [--vocab 30522] [--steps 3] [--warmup 1]</pre>
 *
 * On POCL (a CPU) the time says little, the counters everything: they are what a GPU would move.
 */
@Command(
        name = "OpenClStepBenchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "A full training step of a bundled model on the opencl backend, with the device traffic; one JSON object.")
public final class OpenClStepBenchmark implements Callable<Integer> {

    @Option(
            names = "--model",
            defaultValue = "bert-tiny",
            paramLabel = "NAME",
            description = "A bundled model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(
            names = "--device",
            defaultValue = "auto",
            paramLabel = "INDEX|NAME",
            description = "The OpenCL device: auto (the first GPU, else the first device), an index or part of a name."
                    + " Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(
            names = "--batch",
            defaultValue = "8",
            paramLabel = "N",
            description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--seq",
            defaultValue = "128",
            paramLabel = "N",
            description = "Tokens per sequence. Default: ${DEFAULT-VALUE}.")
    int seq;

    @Option(
            names = "--predictions",
            defaultValue = "20",
            paramLabel = "N",
            description = "Masked positions per sequence. Default: ${DEFAULT-VALUE}.")
    int predictions;

    @Option(
            names = "--vocab",
            defaultValue = "30522",
            paramLabel = "N",
            description = "Vocabulary size. Default: ${DEFAULT-VALUE}.")
    int vocab;

    @Option(
            names = "--steps",
            defaultValue = "3",
            paramLabel = "N",
            description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(
            names = "--warmup",
            defaultValue = "1",
            paramLabel = "N",
            description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OpenClStepBenchmark()).execute(args));
    }

    @Override
    public Integer call() {
        ModelConfig config = ModelConfig.bundled(model).withVocabSize(vocab);
        OpenClBackend backend = new OpenClBackend(OpenClDevices.select(device), 1, false);
        Optimizer adamw = Optimizer.named("adamw", 0.01f);
        Random random = new Random(1);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 2; i++) batches.add(RandomBatch.of(random, batch, seq, predictions, vocab));
        double[] seconds = new double[steps];
        DeviceCounters perStep;
        long parameters;
        java.util.Map<String, Double> opSeconds = new java.util.TreeMap<>();
        try (BertModel bert = new BertModel(config, backend, batch, seq, batch * predictions, adamw.stateSlots())) {
            bert.initialize(1);
            parameters = bert.parameterCount();
            Trainer trainer = new Trainer(bert, adamw, new TrainingOptions(1e-4f, 0, warmup + steps, 1, 1.0f, 1));
            for (int s = 0; s < warmup; s++) trainer.step(List.of(batches.get(s % 2)));
            DeviceCounters start = backend.counters();
            java.util.Map<String, Double> before = backend.secondsByOperation();
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                trainer.step(List.of(batches.get(s % 2)));
                seconds[s] = (System.nanoTime() - t0) / 1e9;
            }
            DeviceCounters total = backend.counters().minus(start);
            for (var e : backend.secondsByOperation().entrySet()) {
                opSeconds.put(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / steps);
            }
            perStep = new DeviceCounters(
                    total.launches() / steps, total.bytesToDevice() / steps, total.bytesFromDevice() / steps);
        }
        double mean = 0, best = Double.MAX_VALUE;
        for (double s : seconds) {
            mean += s / steps;
            best = Math.min(best, s);
        }
        StringBuilder json = new StringBuilder("{");
        field(json, "model", "\"" + model + "\"");
        field(json, "backend", "\"opencl\"");
        field(json, "device", "\"" + OpenClDevices.describe(backend.device()).replace("\"", "'") + "\"");
        field(json, "local_size", backend.localSize());
        field(json, "gemm_tile", backend.tileSize());
        field(json, "batch_size", batch);
        field(json, "seq_length", seq);
        field(json, "masked_per_sequence", predictions);
        field(json, "vocab_size", vocab);
        field(json, "steps_timed", steps);
        field(json, "step_seconds_mean", fmt(mean));
        field(json, "step_seconds_best", fmt(best));
        field(json, "tokens_per_second", fmt(batch * seq / mean));
        field(json, "launches_per_step", perStep.launches());
        field(json, "bytes_to_device_per_step", perStep.bytesToDevice());
        field(json, "bytes_from_device_per_step", perStep.bytesFromDevice());
        field(json, "parameter_bytes", 4L * parameters);
        json.append("\"seconds_per_step_by_operation\":{");
        boolean first = true;
        for (var e : opSeconds.entrySet()) {
            if (!first) json.append(',');
            first = false;
            json.append('"').append(e.getKey()).append("\":").append(fmt(e.getValue()));
        }
        json.append("}}");
        System.out.println(json);
        return 0;
    }

    private static void field(StringBuilder json, String name, Object value) {
        json.append('"').append(name).append("\":").append(value).append(',');
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    OpenClStepBenchmark() {}
}
