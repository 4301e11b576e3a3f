package org.sparkbert.bench.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;
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
 * Measures a full training step (forward, backward, AdamW) of a bundled model on the cpu backend
 * and the GEMM in its three transpose forms, and prints one JSON object.
 *
 * <pre>TrainStepBenchmark [--model bert-mini] [--threads N] [--batch 32] [--seq 128] [--predictions 20]
 *                    [--vocab 30522] [--steps 10] [--warmup 3]</pre>
 *
 * The batch is random token ids with every position real and `predictions` masked positions per
 * sequence (BERT's max_predictions_per_seq for 128 tokens is 20). Dropout as the model file says.
 * Beside wall-clock figures it reports CPU-time figures (cpu_seconds_per_step, gflops_per_core_second):
 * on a shared machine they show what the code costs when it has its cores.
 */
@Command(
        name = "TrainStepBenchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "A full training step of a bundled model on the cpu backend, and the GEMM; one JSON object.")
public final class TrainStepBenchmark implements Callable<Integer> {

    @Option(
            names = "--model",
            defaultValue = "bert-mini",
            paramLabel = "NAME",
            description = "A bundled model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: the machine's cores.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(
            names = "--batch",
            defaultValue = "32",
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
            defaultValue = "10",
            paramLabel = "N",
            description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            paramLabel = "N",
            description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainStepBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        ModelConfig config = ModelConfig.bundled(model).withVocabSize(vocab);
        StringBuilder json = new StringBuilder("{");
        field(json, "model", "\"" + model + "\"");
        field(json, "backend", "\"cpu\"");
        field(json, "threads", threads);
        field(json, "batch_size", batch);
        field(json, "seq_length", seq);
        field(json, "masked_per_sequence", predictions);
        field(json, "vocab_size", vocab);
        var os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[] cpuSeconds = new double[1];
        double[] stepSeconds = trainSteps(config, threads, batch, seq, predictions, steps, warmup, os, cpuSeconds);
        double mean = 0;
        for (double s : stepSeconds) mean += s / stepSeconds.length;
        double best = java.util.Arrays.stream(stepSeconds).min().orElseThrow();
        field(json, "steps_timed", steps);
        field(json, "step_seconds_mean", fmt(mean));
        field(json, "step_seconds_best", fmt(best));
        field(json, "tokens_per_second", fmt(batch * seq / mean));
        // on a shared machine the CPU time the steps used shows what the code costs regardless of neighbours
        field(json, "cpu_seconds_per_step", fmt(cpuSeconds[0] / steps));
        double peak = peakGflops(threads);
        field(json, "peak_gflops", fmt(peak));
        field(
                json,
                "peak_note",
                "\"threads x 32 float flops per cycle (one 512-bit or two 256-bit FMAs per cycle, as on"
                        + " AMD Zen 4) x the clock in /proc/cpuinfo; vector lanes here: "
                        + FloatVector.SPECIES_PREFERRED.length() + "\"");
        json.append("\"gemm\":[");
        int[][] shapes = {
            {512, 512, 512},
            {batch * seq, 4 * hidden(config), hidden(config)},
            {batch * seq, hidden(config), 4 * hidden(config)},
            {batch * predictions, vocab, hidden(config)}
        };
        String[] forms = {"NT", "NN", "TN"};
        boolean first = true;
        try (Backend be = Backends.cpu(threads)) {
            long floats = 0;
            for (int[] s : shapes)
                floats = Math.max(floats, (long) s[0] * s[2] + (long) s[2] * s[1] + (long) s[0] * s[1]);
            be.allocate(Math.toIntExact(floats), 1);
            for (int[] s : shapes) {
                for (String form : forms) {
                    double[] gflops = gemmGflops(be, form, s[0], s[1], s[2], os);
                    if (!first) json.append(',');
                    first = false;
                    json.append(String.format(
                            Locale.ROOT,
                            "{\"form\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"gflops\":%s,"
                                    + "\"percent_of_peak\":%s,\"gflops_per_core_second\":%s,\"percent_of_core_peak\":%s}",
                            form,
                            s[0],
                            s[1],
                            s[2],
                            fmt(gflops[0]),
                            fmt(100 * gflops[0] / peak),
                            fmt(gflops[1]),
                            fmt(100 * gflops[1] * threads / peak)));
                }
            }
        }
        json.append("]}");
        System.out.println(json);
        return 0;
    }

    private static int hidden(ModelConfig c) {
        return c.hiddenSize();
    }

    private static double[] trainSteps(
            ModelConfig config,
            int threads,
            int B,
            int T,
            int perSequence,
            int steps,
            int warmup,
            com.sun.management.OperatingSystemMXBean os,
            double[] cpuSeconds) {
        Optimizer adamw = Optimizer.named("adamw", 0.01f);
        Random random = new Random(1);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 2; i++) batches.add(RandomBatch.of(random, B, T, perSequence, config.vocabSize()));
        try (BertModel model = Trainer.newModel(config, "cpu", threads, adamw, B, T, B * perSequence, 1)) {
            Trainer trainer = new Trainer(model, adamw, new TrainingOptions(1e-4f, 0, warmup + steps, 1, 1.0f, 1));
            for (int s = 0; s < warmup; s++) trainer.step(List.of(batches.get(s % 2)));
            double[] seconds = new double[steps];
            long cpu0 = os.getProcessCpuTime();
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                trainer.step(List.of(batches.get(s % 2)));
                seconds[s] = (System.nanoTime() - t0) / 1e9;
            }
            cpuSeconds[0] = (os.getProcessCpuTime() - cpu0) / 1e9;
            return seconds;
        }
    }

    /**
     * C[M,N] = op(A) op(B) with the operands at the start of the arena: the best wall-clock rate of a
     * few repetitions, and the rate per second of process CPU time (what one core delivers while it
     * runs, whatever else shares the machine).
     */
    private static double[] gemmGflops(
            Backend be, String form, int M, int N, int K, com.sun.management.OperatingSystemMXBean os) {
        boolean ta = form.equals("TN"), tb = form.equals("NT");
        int a = 0, b = M * K, c = b + K * N;
        java.util.Random random = new java.util.Random(3);
        float[] values = new float[c];
        for (int i = 0; i < c; i++) values[i] = (float) random.nextGaussian();
        be.write(0, values, 0, c);
        double flops = 2.0 * M * N * K;
        int reps = (int) Math.max(3, Math.min(50, 2e10 / flops));
        for (int r = 0; r < 2; r++) be.gemm(ta, tb, M, N, K, a, ta ? M : K, b, tb ? K : N, c, N, false);
        double best = Double.MAX_VALUE;
        long cpu0 = os.getProcessCpuTime();
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            be.gemm(ta, tb, M, N, K, a, ta ? M : K, b, tb ? K : N, c, N, false);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        return new double[] {flops / best / 1e9, flops * reps / cpu / 1e9};
    }

    private static double peakGflops(int threads) throws IOException {
        double mhz = 0;
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("cpu MHz")) {
                    mhz = Double.parseDouble(
                            line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
        }
        if (mhz == 0) throw new IllegalStateException("cannot read the clock from /proc/cpuinfo to state the peak");
        return threads * 32.0 * mhz / 1000.0;
    }

    private static void field(StringBuilder json, String name, Object value) {
        json.append('"').append(name).append("\":").append(value).append(',');
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    TrainStepBenchmark() {}
}
