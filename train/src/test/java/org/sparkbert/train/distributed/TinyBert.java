package org.sparkbert.train.distributed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.sparkbert.engine.checkpoint.TrainingConfig;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.AdamMoments;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;
import org.sparkbert.train.job.Instance;

/** A tiny BERT (hidden 32, 1 layer, NSP, dropout on) on synthetic instances over a 105-token vocabulary. */
final class TinyBert {
    static final int SEQ = 16;
    static final int PREDICTIONS = 3;
    final Path vocabDir;
    final Tokenizer tokenizer;
    final SpecialTokens specials;
    final ModelConfig config;

    TinyBert() throws IOException {
        vocabDir = Files.createTempDirectory("tiny-vocab");
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = 0; i < 100; i++) tokens.add("w" + i);
        Files.write(vocabDir.resolve("vocab.txt"), tokens);
        tokenizer = Tokenizers.load(vocabDir.toString(), new Configuration(), true);
        specials = SpecialTokens.of(tokenizer);
        config = new ModelConfig(
                tokenizer.vocabularySize(), 32, 1, 2, 64, 32, 2, 0.1f, 0.1f, 1e-12f, 0.02f, false, 32, false, "nsp");
    }

    List<Instance> instances(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int a = 3 + rng.nextInt(5), b = 3 + rng.nextInt(5);
            int[] ids = new int[a + b + 3];
            int[] types = new int[ids.length];
            ids[0] = specials.cls();
            for (int j = 1; j <= a; j++) ids[j] = 5 + rng.nextInt(100);
            ids[a + 1] = specials.sep();
            for (int j = a + 2; j < a + b + 2; j++) {
                ids[j] = 5 + rng.nextInt(100);
                types[j] = 1;
            }
            ids[a + b + 2] = specials.sep();
            types[a + b + 2] = 1;
            out.add(new Instance(1000 + i, ids, types, rng.nextInt(2)));
        }
        return out;
    }

    BertReplicaFactory factory(int globalBatch, int accumulate, long steps) {
        TrainingOptions options = new TrainingOptions(1e-3f, 2, steps, accumulate, 1.0f, 42);
        DynamicMasker masker = new DynamicMasker(tokenizer, 0.15, PREDICTIONS, false, 7);
        return new BertReplicaFactory(
                config,
                "cpu",
                "auto",
                1,
                "adamw",
                0.01f,
                AdamMoments.BERT,
                options,
                globalBatch,
                SEQ,
                PREDICTIONS,
                masker,
                specials.pad(),
                null,
                null);
    }

    BertCheckpoints checkpoints(String dir, long instances, int globalBatch) {
        return new BertCheckpoints(
                java.net.URI.create(dir),
                2,
                specials.pad(),
                vocabDir.toUri().toString(),
                instances,
                globalBatch,
                42,
                TrainingConfig.of(Map.of("model", "tiny"), Map.of()));
    }
}
