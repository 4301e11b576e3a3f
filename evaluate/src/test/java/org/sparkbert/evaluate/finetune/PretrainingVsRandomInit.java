package org.sparkbert.evaluate.finetune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.glue.GlueExample;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.glue.GlueTsvReader;
import org.sparkbert.evaluate.perplexity.ModelWeights;
import org.sparkbert.evaluate.perplexity.ScoringSequence;
import org.sparkbert.evaluate.perplexity.TinyBertForTests;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * The offline experiment behind docs/BENCHMARKS.md "Pretraining vs random init on SST-2" (not a test;
 * {@code scripts/bench/sst2-pretraining} runs it): GlueJobTest's recipe with every knob a system
 * property. Pretrains BERT-tiny on the first {@code docs} documents of the shared C4 sample (with
 * {@code corpus=sst2}, as a diagnostic, on SST-2's unlabelled training sentences instead; or reads
 * {@code checkpoint}), printing the masked-LM loss and accuracy against the unigram entropy of the
 * text's tokens, then fine-tunes SST-2 (the first {@code ftn} training sentences, all of dev) from the
 * checkpoint and from random weights with the same data, seed, epochs and learning rate, for each
 * rate in {@code ftlr} and seed in {@code seeds}. With {@code dump} (a directory) it also writes the
 * pretraining sequences and the encoded SST-2 sentences there and prints the checkpoint's path, for
 * scripts/bench/sst2-probe; {@code finetune=false} stops after that.
 */
public final class PretrainingVsRandomInit {
    private static final String REALNEWSLIKE = "c4/c4-realnewslike-train.00000-of-00512.records0001-0600.jsonl";

    private PretrainingVsRandomInit() {}

    private static String option(String key, String fallback) {
        return System.getProperty(key, fallback);
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("sst2-pretraining");
        String checkpoint = option("checkpoint", "");
        long started = System.nanoTime();
        if (checkpoint.isEmpty()) {
            checkpoint = pretrain(tmp).toUri().toString();
        }
        ModelWeights weights = ModelWeights.read(checkpoint, new Configuration());
        Tokenizer tokenizer = Tokenizers.load(checkpoint, new Configuration(), null);
        Path glue = TinyBertForTests.sharedData().resolve("glue");
        List<GlueExample> train = GlueTsvReader.read(GlueTask.SST2.train(), glue);
        train = train.subList(0, Math.min(Integer.parseInt(option("ftn", "4000")), train.size()));
        List<GlueExample> dev = GlueTsvReader.read(GlueTask.SST2.devSplits().get(0), glue);
        PairEncoder encoder = new PairEncoder(tokenizer, 64);
        List<EncodedPair> trainPairs = encoder.encodeAll(train);
        List<EncodedPair> devPairs = encoder.encodeAll(dev);
        int seqLength = 0;
        for (EncodedPair e : trainPairs) {
            seqLength = Math.max(seqLength, e.length());
        }
        for (EncodedPair e : devPairs) {
            seqLength = Math.max(seqLength, e.length());
        }
        int[] labels = train.stream().mapToInt(GlueExample::label).toArray();
        int[] gold = dev.stream().mapToInt(GlueExample::label).toArray();
        String dump = option("dump", "");
        if (!dump.isEmpty()) {
            writeLabelled(
                    Path.of(dump, "train.tsv"),
                    trainPairs.stream().map(EncodedPair::inputIds).toList(),
                    labels);
            writeLabelled(
                    Path.of(dump, "dev.tsv"),
                    devPairs.stream().map(EncodedPair::inputIds).toList(),
                    gold);
            System.out.println("CHECKPOINT " + checkpoint);
        }
        if (!Boolean.parseBoolean(option("finetune", "true"))) {
            return;
        }
        for (String lr : option("ftlr", "2e-3").split(",")) {
            for (String seed : option("seeds", "1").split(",")) {
                FineTuneOptions options = new FineTuneOptions(
                        Integer.parseInt(option("ftepochs", "1")),
                        Float.parseFloat(lr),
                        32,
                        0.1,
                        0.01f,
                        1.0f,
                        Long.parseLong(seed),
                        2);
                double[] accuracy = new double[2];
                for (int arm = 0; arm < 2; arm++) {
                    try (SequenceClassifier tuned = SequenceClassifier.fineTune(
                            arm == 0 ? weights : null,
                            weights.config(),
                            2,
                            trainPairs,
                            labels,
                            null,
                            seqLength,
                            encoder.padId(),
                            options,
                            arm == 0 ? "pretrained" : "random-init")) {
                        int[] predicted = tuned.predictLabels(devPairs);
                        int right = 0;
                        for (int i = 0; i < gold.length; i++) {
                            right += predicted[i] == gold[i] ? 1 : 0;
                        }
                        accuracy[arm] = right / (double) gold.length;
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "RESULT fine-tuning lr %s seed %s: pretrained %.4f, random init %.4f (%+.4f)%n",
                        lr,
                        seed,
                        accuracy[0],
                        accuracy[1],
                        accuracy[0] - accuracy[1]);
            }
        }
        System.out.printf(Locale.ROOT, "TOTAL %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static Path pretrain(Path tmp) throws Exception {
        List<String> texts = new ArrayList<>();
        String corpus = option("corpus", "c4-en");
        if (corpus.equals("sst2")) {
            texts.addAll(sst2Unlabelled(Integer.parseInt(option("ftn", "4000"))));
        } else {
            texts.addAll(TinyBertForTests.c4Documents(0, Integer.parseInt(option("docs", "600"))));
        }
        if (corpus.equals("all")) {
            texts.addAll(TinyBertForTests.jsonLinesTexts(
                    TinyBertForTests.sharedData().resolve(REALNEWSLIKE)));
        }
        Path vocab = tmp.resolve("vocab");
        Tokenizer tokenizer = TinyBertForTests.smallVocabulary(texts, Integer.parseInt(option("vocab", "3000")), vocab);
        String dump = option("dump", "");
        if (!dump.isEmpty()) {
            Files.createDirectories(Path.of(dump));
            List<int[]> sequences = TinyBertForTests.packedSequences(
                            tokenizer,
                            texts,
                            Integer.parseInt(option("seq", "64")),
                            option("objective", "mlm").equals("sop"))
                    .stream()
                    .map(ScoringSequence::inputIds)
                    .toList();
            writeLabelled(Path.of(dump, "pretraining.tsv"), sequences, new int[sequences.size()]);
        }
        System.out.printf(
                Locale.ROOT,
                "DATA %d documents, unigram entropy of their tokens %.3f nats%n",
                texts.size(),
                unigramEntropy(tokenizer, texts));
        ModelConfig config = TinyBertForTests.bertTiny(tokenizer.vocabularySize(), 128, option("objective", "mlm"));
        int steps = Integer.parseInt(option("steps", "600"));
        int every = Math.max(1, steps / 10);
        double[] sums = new double[3];
        long started = System.nanoTime();
        try (BertModel model = TinyBertForTests.pretrain(
                config,
                tokenizer,
                texts,
                Integer.parseInt(option("seq", "64")),
                steps,
                Integer.parseInt(option("batch", "16")),
                Float.parseFloat(option("lr", "1e-3")),
                (int) Math.round(steps * Double.parseDouble(option("warmup", "0.06"))),
                Double.parseDouble(option("mask", "0.15")),
                Long.parseLong(option("pseed", "5")),
                m -> {
                    sums[0] += m.mlmLoss();
                    sums[1] += m.mlmAccuracy();
                    sums[2]++;
                    if (m.step() % every == 0) {
                        System.out.printf(
                                Locale.ROOT,
                                "STEP %d masked-LM loss %.3f accuracy %.3f (mean of the last %d steps), %.0f s%n",
                                m.step(),
                                sums[0] / sums[2],
                                sums[1] / sums[2],
                                (int) sums[2],
                                (System.nanoTime() - started) / 1e9);
                        sums[0] = sums[1] = sums[2] = 0;
                    }
                })) {
            return TinyBertForTests.writeCheckpoint(model, tokenizer, vocab, tmp.resolve("run"), steps);
        }
    }

    /**
     * The SST-2 training sentences after the first {@code skip} (those fine-tuning uses), labels dropped,
     * eight to a document: a diagnostic corpus of in-domain text the size of the C4 sample, to tell what
     * the recipe transfers when the text is about what the task asks.
     */
    private static List<String> sst2Unlabelled(int skip) throws IOException {
        List<GlueExample> all = GlueTsvReader.read(
                GlueTask.SST2.train(), TinyBertForTests.sharedData().resolve("glue"));
        List<String> documents = new ArrayList<>();
        for (int i = skip; i < all.size(); i += 8) {
            documents.add(String.join(
                    " ",
                    all.subList(i, Math.min(i + 8, all.size())).stream()
                            .map(GlueExample::textA)
                            .toList()));
        }
        return documents;
    }

    /** One example per line: its label, a tab and its token ids separated by spaces (scripts/bench/sst2-probe reads them). */
    private static void writeLabelled(Path file, List<int[]> examples, int[] labels) throws IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < examples.size(); i++) {
            out.append(labels[i]).append('\t');
            int[] ids = examples.get(i);
            for (int j = 0; j < ids.length; j++) {
                out.append(j == 0 ? "" : " ").append(ids[j]);
            }
            out.append('\n');
        }
        Files.writeString(file, out);
    }

    private static double unigramEntropy(Tokenizer tokenizer, List<String> texts) {
        SpecialTokens specials = SpecialTokens.of(tokenizer);
        Map<Integer, Integer> counts = new HashMap<>();
        long total = 0;
        for (String text : texts) {
            for (int id : tokenizer.encode(text)) {
                if (!specials.isSpecial(id)) {
                    counts.merge(id, 1, Integer::sum);
                    total++;
                }
            }
        }
        double entropy = 0;
        for (int count : counts.values()) {
            double p = count / (double) total;
            entropy -= p * Math.log(p);
        }
        return entropy;
    }
}
