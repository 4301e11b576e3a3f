package org.sparkbert.evaluate.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.engine.loop.StepMetrics;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.loop.TrainingOptions;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.model.SentencePooling;
import org.sparkbert.engine.optim.Optimizer;
import org.sparkbert.evaluate.perplexity.ModelWeights;

/**
 * A sentence(-pair) classifier or regressor fine-tuned from an encoder, as Hugging Face's
 * BertForSequenceClassification: the encoder and pooler of the checkpoint (a pooler freshly
 * initialised where the checkpoint has none, as for objective mlm) and a newly initialised head of
 * num_labels outputs on the pooled [CLS] vector (or, with head mean, on the mean of the final
 * hidden states over the attended tokens, as sentence-transformers pools), trained with
 * cross-entropy, or with num_labels 1 (STS-B) a regression output trained with mean squared error. Training keeps the model's dropout;
 * predictions run on a dropout-free copy of the weights.
 */
public final class SequenceClassifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SequenceClassifier.class);

    private final BertModel model;
    private final FineTuneOptions options;
    private final int padId;

    private SequenceClassifier(BertModel model, FineTuneOptions options, int padId) {
        this.model = model;
        this.options = options;
        this.padId = padId;
    }

    /**
     * Fine-tunes on the examples with their label indices (classification) or scores (numLabels 1).
     *
     * @param pretrained the checkpoint to start from, or null for the random-initialisation baseline
     * @param config     the model configuration (the checkpoint's)
     * @param labels     label indices for classification, null for regression
     * @param targets    scores for regression, null for classification
     * @param seqLength  the padded length of every batch (at least the longest example)
     */
    public static SequenceClassifier fineTune(
            ModelWeights pretrained,
            ModelConfig config,
            int numLabels,
            List<EncodedPair> examples,
            int[] labels,
            float[] targets,
            int seqLength,
            int padId,
            FineTuneOptions options,
            String what) {
        int n = labels != null ? labels.length : targets.length;
        if (examples.size() != n || examples.isEmpty() || (labels == null) == (numLabels > 1)) {
            throw new IllegalArgumentException(what + ": " + examples.size() + " examples and " + n
                    + " labels for a head of " + numLabels + " output(s)");
        }
        ModelConfig withHead = withSentenceHead(config).withNumLabels(numLabels);
        Optimizer adamw = Optimizer.named("adamw", options.weightDecay());
        int b = Math.min(options.batchSize(), examples.size());
        BertModel model = pretrained != null
                ? pretrained.newModel(
                        withHead,
                        options.backend(),
                        options.threads(),
                        b,
                        seqLength,
                        1,
                        adamw.stateSlots(),
                        options.seed(),
                        SequenceClassifier::isClassifier)
                : Trainer.newModel(
                        withHead, options.backend().open(options.threads()), adamw, b, seqLength, 1, options.seed());
        if (options.head() != SentencePooling.CLS) model.sentencePooling(options.head());
        freshClassifier(model, options.seed());
        SequenceClassifier classifier = new SequenceClassifier(model, options, padId);
        classifier.train(examples, labels, targets, adamw, what);
        return classifier;
    }

    /** The class index with the highest output for each example (the lowest index on a tie). */
    public int[] predictLabels(List<EncodedPair> examples) {
        int k = model.config().numLabels();
        float[] outputs = outputs(examples);
        int[] predicted = new int[examples.size()];
        for (int r = 0; r < predicted.length; r++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (outputs[r * k + j] > outputs[r * k + best]) {
                    best = j;
                }
            }
            predicted[r] = best;
        }
        return predicted;
    }

    /** The regression output for each example (num_labels 1). */
    public double[] predictScores(List<EncodedPair> examples) {
        float[] outputs = outputs(examples);
        double[] scores = new double[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            scores[i] = outputs[i];
        }
        return scores;
    }

    private float[] outputs(List<EncodedPair> examples) {
        int b = model.maxBatch();
        int k = model.config().numLabels();
        float[] all = new float[examples.size() * k];
        try (BertModel eval = new BertModel(
                model.config().withDropout(0f, 0f),
                options.backend().open(options.threads()),
                b,
                model.seqLength(),
                1,
                0)) {
            for (Parameter p : model.parameters()) {
                eval.write(eval.parameter(p.name()), model.read(p));
            }
            if (options.head() != SentencePooling.CLS) eval.sentencePooling(options.head());
            for (int start = 0; start < examples.size(); start += b) {
                List<EncodedPair> rows = examples.subList(start, Math.min(examples.size(), start + b));
                eval.forward(batchOf(rows, new int[rows.size()], k == 1 ? new float[rows.size()] : null), 0, 0, 0f);
                System.arraycopy(eval.sentenceLogits(), 0, all, start * k, rows.size() * k);
            }
        }
        return all;
    }

    private void train(List<EncodedPair> examples, int[] labels, float[] targets, Optimizer adamw, String what) {
        int n = examples.size();
        long steps = options.steps(n);
        Trainer trainer = new Trainer(
                model,
                adamw,
                new TrainingOptions(
                        options.learningRate(), options.warmupSteps(n), steps, 1, options.clipNorm(), options.seed()));
        int b = model.maxBatch();
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            int[] order = shuffled(n, options.seed() * 1_000_003L + epoch);
            double loss = 0;
            for (int start = 0; start < n; start += b) {
                int size = Math.min(b, n - start);
                List<EncodedPair> rows = new ArrayList<>(size);
                int[] rowLabels = new int[size];
                float[] rowTargets = targets != null ? new float[size] : null;
                for (int r = 0; r < size; r++) {
                    int i = order[start + r];
                    rows.add(examples.get(i));
                    if (targets != null) {
                        rowTargets[r] = targets[i];
                    } else {
                        rowLabels[r] = labels[i];
                    }
                }
                StepMetrics step = trainer.step(List.of(batchOf(rows, rowLabels, rowTargets)));
                loss += step.sentenceLoss() * size;
            }
            LOG.info(String.format(
                    Locale.ROOT,
                    "%s: epoch %d of %d, %d steps, training loss %.4f",
                    what,
                    epoch + 1,
                    options.epochs(),
                    trainer.stepsDone(),
                    loss / n));
        }
    }

    private Batch batchOf(List<EncodedPair> rows, int[] labels, float[] targets) {
        return EncodedPair.batch(rows, model.seqLength(), padId, labels, targets);
    }

    /** Fisher-Yates with a seeded generator: the same seed and epoch give the same order. */
    public static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** The configuration with a pooler and sentence head: an mlm-only model gets them as nsp would. */
    static ModelConfig withSentenceHead(ModelConfig c) {
        if (c.hasSentenceTask()) {
            return c;
        }
        return new ModelConfig(
                c.vocabSize(),
                c.hiddenSize(),
                c.numHiddenLayers(),
                c.numAttentionHeads(),
                c.intermediateSize(),
                c.maxPositionEmbeddings(),
                c.typeVocabSize(),
                c.hiddenDropoutProb(),
                c.attentionProbsDropoutProb(),
                c.layerNormEps(),
                c.initializerRange(),
                c.preLayerNorm(),
                c.embeddingSize(),
                c.shareLayers(),
                "nsp",
                c.numLabels(),
                c.positionEmbeddingType());
    }

    /** A new task's head: weights N(0, initializer_range), bias 0, as Hugging Face initialises one. */
    private static void freshClassifier(BertModel model, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float std = model.config().initializerRange();
        for (Parameter p : model.parameters()) {
            if (!isClassifier(p.name())) {
                continue;
            }
            float[] values = new float[p.size()];
            if (p.name().endsWith(".weight")) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            }
            model.write(p, values);
        }
    }

    private static boolean isClassifier(String name) {
        return name.contains("seq_relationship") || name.contains("sop_classifier");
    }

    @Override
    public void close() {
        model.close();
    }
}
