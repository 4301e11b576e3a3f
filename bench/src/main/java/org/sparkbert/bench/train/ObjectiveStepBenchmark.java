package org.sparkbert.bench.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.RandomBatch;
import org.sparkbert.engine.optim.Optimizer;

/**
 * The training step of ELECTRA (generator + discriminator) against a plain MLM step of the same
 * discriminator-sized model, on the cpu backend in one JVM, interleaved round by round so that both
 * see the same machine load; prints one JSON object with the tokens/s of each and their ratio.
 *
 * <pre>ObjectiveStepBenchmark [--model electra-small] [--threads N] [--batch 8] [--seq 128]
 *                        [--predictions 20] [--vocab 30522] [--rounds 3] [--warmup 1]</pre>
 */
public final class ObjectiveStepBenchmark {

    public static void main(String[] args) {
        String model = "electra-small";
        int threads = Runtime.getRuntime().availableProcessors(), batch = 8, seq = 128, predictions = 20, vocab = 30522;
        int rounds = 3, warmup = 1;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " needs a value");
            String v = args[i + 1];
            switch (args[i]) {
                case "--model" -> model = v;
                case "--threads" -> threads = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--seq" -> seq = Integer.parseInt(v);
                case "--predictions" -> predictions = Integer.parseInt(v);
                case "--vocab" -> vocab = Integer.parseInt(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + ": use --model --threads --batch --seq --predictions --vocab --rounds --warmup");
            }
        }
        ModelConfig electra = ModelConfig.bundled(model).withVocabSize(vocab);
        if (!electra.electra()) throw new IllegalArgumentException(model + " is not an objective=electra model");
        ModelConfig mlm = electra.withObjective("mlm");
        Random random = new Random(1);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 2; i++) batches.add(RandomBatch.of(random, batch, seq, predictions, vocab));
        Optimizer adamw = Optimizer.named("adamw", 0.01f);
        double electraSeconds = 0, mlmSeconds = 0;
        try (BertModel e = Trainer.newModel(electra, "cpu", threads, adamw, batch, seq, batch * predictions, 1);
                BertModel m = Trainer.newModel(mlm, "cpu", threads, adamw, batch, seq, batch * predictions, 1)) {
            TrainingOptions options = new TrainingOptions(1e-4f, 0, warmup + rounds, 1, 1.0f, 1);
            Trainer te = new Trainer(e, adamw, options), tm = new Trainer(m, adamw, options);
            for (int s = 0; s < warmup; s++) {
                te.step(List.of(batches.get(s % 2)));
                tm.step(List.of(batches.get(s % 2)));
            }
            for (int s = 0; s < rounds; s++) {
                long t0 = System.nanoTime();
                te.step(List.of(batches.get(s % 2)));
                long t1 = System.nanoTime();
                tm.step(List.of(batches.get(s % 2)));
                electraSeconds += (t1 - t0) / 1e9;
                mlmSeconds += (System.nanoTime() - t1) / 1e9;
            }
            double tokens = (double) batch * seq * rounds;
            System.out.println(String.format(
                    Locale.ROOT,
                    "{\"model\":\"%s\",\"threads\":%d,\"batch_size\":%d,\"seq_length\":%d,"
                            + "\"masked_per_sequence\":%d,\"vocab_size\":%d,\"rounds\":%d,\"electra_parameters\":%d,"
                            + "\"mlm_parameters\":%d,\"electra_tokens_per_second\":%.1f,\"mlm_tokens_per_second\":%.1f,"
                            + "\"electra_over_mlm\":%.3f}",
                    model,
                    threads,
                    batch,
                    seq,
                    predictions,
                    vocab,
                    rounds,
                    e.parameterCount(),
                    m.parameterCount(),
                    tokens / electraSeconds,
                    tokens / mlmSeconds,
                    (tokens / electraSeconds) / (tokens / mlmSeconds)));
        }
    }

    private ObjectiveStepBenchmark() {}
}
