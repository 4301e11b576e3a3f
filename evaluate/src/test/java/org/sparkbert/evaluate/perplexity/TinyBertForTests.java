package org.sparkbert.evaluate.perplexity;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.sparkbert.engine.checkpoint.Checkpoint;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.checkpoint.ModelExport;
import org.sparkbert.engine.loop.StepMetrics;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.Optimizer;
import org.sparkbert.evaluate.finetune.SequenceClassifier;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.MaskedInstance;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * A BERT-tiny pretrained in the test on the shared C4 sample with the train module's API: a small
 * WordPiece vocabulary cut from BERT's uncased one (special tokens, every character piece the text
 * uses, the most frequent other pieces), documents packed into sequences, BERT's dynamic masking,
 * AdamW with warm-up and decay, and a checkpoint written as the train stage writes one.
 */
public final class TinyBertForTests {
    public static final String C4 = "c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl";
    private static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private TinyBertForTests() {}

    public static Path sharedData() {
        return Path.of(System.getProperty("sparkbert.shared.data"));
    }

    public static Path projectRoot() {
        return Path.of(System.getProperty("sparkbert.project.root"));
    }

    /** C4 documents from..from+count-1 of the shared sample, each on one line (paragraph breaks as spaces). */
    public static List<String> c4Documents(int from, int count) throws IOException {
        List<String> all = jsonLinesTexts(sharedData().resolve(C4));
        return all.subList(Math.min(from, all.size()), Math.min(from + count, all.size()));
    }

    /** The {@code text} of every line of a C4 JSON-lines file, whitespace runs (paragraph breaks too) as one space. */
    public static List<String> jsonLinesTexts(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                texts.add(json.readTree(line)
                        .get("text")
                        .asText()
                        .replaceAll("\\s+", " ")
                        .strip());
            }
        }
        return texts;
    }

    public static Tokenizer smallVocabulary(List<String> texts, int frequentPieces, Path dir) throws IOException {
        Tokenizer full = Tokenizers.load(sharedData().resolve("bert").toString(), new Configuration(), null);
        Map<Integer, Integer> counts = new TreeMap<>();
        for (String text : texts) {
            for (int id : full.encode(text)) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        Set<String> tokens = new LinkedHashSet<>(SPECIALS);
        counts.keySet().stream()
                .map(full::token)
                .filter(t -> t.replace("##", "").length() == 1)
                .sorted()
                .forEach(tokens::add);
        counts.entrySet().stream()
                .sorted(Map.Entry.<Integer, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(frequentPieces)
                .map(e -> full.token(e.getKey()))
                .forEach(tokens::add);
        Files.createDirectories(dir);
        Files.write(dir.resolve("vocab.txt"), tokens);
        return Tokenizers.load(dir.toString(), new Configuration(), null);
    }

    /** conf/models/bert-tiny.conf with the vocabulary's size, the objective (mlm or sop) and the given number of positions. */
    public static ModelConfig bertTiny(int vocabSize, int positions, String objective) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(projectRoot().resolve("conf/models/bert-tiny.conf"))) {
            p.load(in);
        }
        p.setProperty("objective", objective);
        p.setProperty("max_position_embeddings", Integer.toString(positions));
        return ModelConfig.parse(p, "bert-tiny.conf").withVocabSize(vocabSize);
    }

    /**
     * Masked-LM training of a fresh model (returned as initialised for 0 steps) for {@code steps} steps on
     * the texts packed into seqLength sequences. With objective sop each sequence is cut in two halves
     * that are swapped for half of the sequences (ALBERT's sentence-order task, label 1 = swapped).
     */
    public static BertModel pretrain(
            ModelConfig config,
            Tokenizer tokenizer,
            List<String> texts,
            int seqLength,
            int steps,
            int batchSize,
            float lr,
            long seed) {
        return pretrain(config, tokenizer, texts, seqLength, steps, batchSize, lr, steps / 10, 0.15, seed, m -> {});
    }

    /** The texts packed into sequences of seqLength tokens ([CLS] ... [SEP]; one fewer for sop, which adds a [SEP]). */
    public static List<ScoringSequence> packedSequences(
            Tokenizer tokenizer, List<String> texts, int seqLength, boolean sop) {
        SequencePacker packer = new SequencePacker(tokenizer, sop ? seqLength - 1 : seqLength);
        List<ScoringSequence> sequences = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            sequences.addAll(packer.pack(new Document("train#" + i, texts.get(i))));
        }
        return sequences;
    }

    /**
     * As above, with warmupSteps of linear warm-up, maskRate of the tokens masked (BERT's 0.15 in the
     * overload above) and each step's metrics handed to the listener.
     */
    public static BertModel pretrain(
            ModelConfig config,
            Tokenizer tokenizer,
            List<String> texts,
            int seqLength,
            int steps,
            int batchSize,
            float lr,
            int warmupSteps,
            double maskRate,
            long seed,
            Consumer<StepMetrics> listener) {
        boolean sop = config.hasSentenceTask();
        List<ScoringSequence> sequences = packedSequences(tokenizer, texts, seqLength, sop);
        int maxPredictions = (int) Math.ceil(seqLength * maskRate) + 1;
        DynamicMasker masker = new DynamicMasker(tokenizer, maskRate, maxPredictions, false, seed);
        Optimizer adamw = Optimizer.named("adamw", 0.01f);
        BertModel model =
                Trainer.newModel(config, "cpu", 2, adamw, batchSize, seqLength, batchSize * maxPredictions, seed);
        if (steps == 0) {
            return model;
        }
        Trainer trainer = new Trainer(model, adamw, new TrainingOptions(lr, warmupSteps, steps, 1, 1.0f, seed));
        int pad = SpecialTokens.of(tokenizer).pad();
        int[] order = new int[0];
        int next = 0;
        int epoch = -1;
        for (int step = 0; step < steps; step++) {
            List<ScoringSequence> rows = new ArrayList<>();
            while (rows.size() < batchSize) {
                if (next == order.length) {
                    epoch++;
                    order = SequenceClassifier.shuffled(sequences.size(), seed + epoch);
                    next = 0;
                }
                rows.add(sequences.get(order[next++]));
            }
            listener.accept(trainer.step(List.of(batch(
                    rows,
                    masker,
                    epoch,
                    seqLength,
                    pad,
                    sop,
                    SpecialTokens.of(tokenizer).sep()))));
        }
        return model;
    }

    public static Path writeCheckpoint(BertModel model, Tokenizer tokenizer, Path vocabDir, Path checkpoints, long step)
            throws IOException {
        Checkpoint checkpoint = new Checkpoint(
                model.config(),
                ModelExport.tensors(model),
                SpecialTokens.of(tokenizer).pad(),
                new org.apache.hadoop.fs.Path(vocabDir.toUri()),
                Map.of());
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path dir =
                new CheckpointWriter(fs, new org.apache.hadoop.fs.Path(checkpoints.toUri())).write(step, checkpoint);
        return Path.of(dir.toUri());
    }

    private static Batch batch(
            List<ScoringSequence> rows, DynamicMasker masker, int epoch, int t, int pad, boolean sop, int sep) {
        int b = rows.size();
        int[] order = new int[b];
        int[] ids = new int[b * t];
        int[] types = new int[b * t];
        int[] attention = new int[b * t];
        Arrays.fill(ids, pad);
        List<Integer> positions = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            ScoringSequence s = rows.get(r);
            int[] input = s.inputIds();
            int[] segments = new int[input.length];
            if (sop && input.length >= 4) {
                order[r] = new SplittableRandom(s.key() * 31 + epoch).nextInt(2);
                input = sentencePair(input, order[r] == 1, sep);
                segments = new int[input.length];
                Arrays.fill(segments, firstSegmentLength(input, sep), input.length, 1);
            }
            MaskedInstance m = masker.mask(input, s.key(), epoch);
            System.arraycopy(m.inputIds(), 0, ids, r * t, m.inputIds().length);
            System.arraycopy(segments, 0, types, r * t, segments.length);
            Arrays.fill(attention, r * t, r * t + m.inputIds().length, 1);
            for (int j = 0; j < m.maskedPositions().length; j++) {
                positions.add(r * t + m.maskedPositions()[j]);
                labels.add(m.maskedLabels()[j]);
            }
        }
        return new Batch(
                b,
                t,
                ids,
                types,
                attention,
                positions.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                order);
    }

    /** [CLS] x [SEP] as [CLS] first-half [SEP] second-half [SEP], or with the halves swapped. */
    private static int[] sentencePair(int[] ids, boolean swapped, int sep) {
        int n = ids.length - 2;
        int middle = 1 + n / 2;
        int[] first = Arrays.copyOfRange(ids, swapped ? middle : 1, swapped ? ids.length - 1 : middle);
        int[] second = Arrays.copyOfRange(ids, swapped ? 1 : middle, swapped ? middle : ids.length - 1);
        int[] out = new int[ids.length + 1];
        out[0] = ids[0];
        System.arraycopy(first, 0, out, 1, first.length);
        out[1 + first.length] = sep;
        System.arraycopy(second, 0, out, 2 + first.length, second.length);
        out[out.length - 1] = sep;
        return out;
    }

    private static int firstSegmentLength(int[] pair, int sep) {
        for (int i = 1; i < pair.length; i++) {
            if (pair[i] == sep) {
                return i + 1;
            }
        }
        return pair.length;
    }
}
