package org.sparkbert.engine.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.CounterRng;
import org.sparkbert.engine.model.TensorNames.LayerPart;

/**
 * A BERT-family model (post-LN BERT, pre-LN, ALBERT factorisation and sharing; learned, sinusoidal
 * or relative positions) as forward and
 * backward passes over one backend's arenas, in the manner of llm.c: parameters, their gradients,
 * optimiser state slots and activations are fixed offsets laid out once for a maximum batch shape.
 * Float arena: [params | grads | state slot 0 | state slot 1 | ... | activations | activation grads].
 */
public final class BertModel implements Trainable, AutoCloseable {
    private final ModelConfig config;
    private final Backend backend;
    private final TensorNames names;
    private final int maxBatch, seqLength, maxPredictions, stateSlots;
    private final int H, E, I, V, NH, D, layers, numLabels;

    // ---- parameters (offsets in the float arena; the gradient of p is at p + paramCount)
    private final List<Parameter> parameters = new ArrayList<>();
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private int paramCount;
    private final int wte, wpe, wtt, embLnW, embLnB, mapW, mapB, finalLnW, finalLnB;
    private final LayerParams[] layerParams;
    private final int poolW, poolB, clsW, clsB, tW, tB, tLnW, tLnB, decBias;
    /** What the embeddings add per position: the learned table wpe, the fixed sinusoid, or -1 (relative positions). */
    private final int positionTable;

    // ---- activations, then the gradients of those that have one (attention probabilities, LayerNorm
    // statistics, logits and losses have none): [activations | activation gradients]
    private int activationBase, activationCount, gradientCount;
    private final Map<Integer, Integer> gradientSlot = new HashMap<>();
    private final int emb, embLn, embMean, embRstd, embDrop, mapped, finalLn, finalMean, finalRstd;
    private final LayerActivations[] acts;
    private final int hm, t1, t2, t3, tMean, tRstd, logits, dlogits, mlmLoss;
    private final int clsIn, pooledPre, pooled, sentLogits, sentDlogits, sentLoss;
    /** [B, B*T] weights of the mean pooling: row b holds 1/length_b at b's attended positions. */
    private final int meanWeights;
    private SentencePooling pooling = SentencePooling.CLS;
    /** Relative-position scores [B,NH,T,T], shared by the layers: the bias in forward, its gradient in backward. */
    private final int relScores;

    // ---- int arena
    private final int ids, types, mask, positions, labels, mlmCorrect, sentLabels, sentCorrect, clsRows;

    // ---- the last forward pass, for backward
    private int lastB, lastP, lastFirstSequence;
    private long lastSeed, lastStep;

    /** dist: the relative-position distance table [2M-1, D], or -1. */
    private record LayerParams(int ln1W, int ln1B, int qkvW, int qkvB, int attW, int attB,
                               int ln2W, int ln2B, int fcW, int fcB, int projW, int projB, int dist) {}

    private record LayerActivations(int ln1, int ln1Mean, int ln1Rstd, int qkv, int att, int attDrop, int ctx,
                                    int attOut, int res1, int ln2, int ln2Mean, int ln2Rstd, int fc, int fcGelu,
                                    int proj, int res2) {}

    /**
     * Lays the model out for batches of at most maxBatch sequences of exactly seqLength tokens and at
     * most maxPredictions masked positions, with stateSlots parameter-sized optimiser buffers.
     */
    public BertModel(ModelConfig config, Backend backend, int maxBatch, int seqLength, int maxPredictions, int stateSlots) {
        if (config.vocabSize() <= 0) throw new IllegalArgumentException("the model configuration has no vocab_size yet: call withVocabSize");
        if (seqLength > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + seqLength + " exceeds max_position_embeddings " + config.maxPositionEmbeddings());
        }
        this.config = config;
        this.backend = backend;
        this.names = new TensorNames(config);
        this.maxBatch = maxBatch;
        this.seqLength = seqLength;
        this.maxPredictions = maxPredictions;
        this.stateSlots = stateSlots;
        H = config.hiddenSize();
        E = config.embeddingSize();
        I = config.intermediateSize();
        V = config.vocabSize();
        NH = config.numAttentionHeads();
        D = config.headSize();
        layers = config.numHiddenLayers();
        numLabels = config.numLabels();

        List<Object[]> specs = new ArrayList<>();
        wte = declare(specs, names.embedding("word_embeddings"), V, E);
        wpe = config.learnedPositions() ? declare(specs, names.embedding("position_embeddings"), config.maxPositionEmbeddings(), E) : -1;
        wtt = declare(specs, names.embedding("token_type_embeddings"), config.typeVocabSize(), E);
        embLnW = declare(specs, names.embeddingNorm() + ".weight", E);
        embLnB = declare(specs, names.embeddingNorm() + ".bias", E);
        boolean mapping = E != H;
        mapW = mapping ? declare(specs, names.embeddingMapping() + ".weight", H, E) : -1;
        mapB = mapping ? declare(specs, names.embeddingMapping() + ".bias", H) : -1;
        int distinctLayers = config.shareLayers() ? 1 : layers;
        LayerParams[] distinct = new LayerParams[distinctLayers];
        for (int l = 0; l < distinctLayers; l++) distinct[l] = declareLayer(specs, l);
        layerParams = new LayerParams[layers];
        for (int l = 0; l < layers; l++) layerParams[l] = distinct[config.shareLayers() ? 0 : l];
        finalLnW = config.preLayerNorm() ? declare(specs, names.finalNorm() + ".weight", H) : -1;
        finalLnB = config.preLayerNorm() ? declare(specs, names.finalNorm() + ".bias", H) : -1;
        boolean sentence = config.hasSentenceTask();
        poolW = sentence ? declare(specs, names.pooler() + ".weight", H, H) : -1;
        poolB = sentence ? declare(specs, names.pooler() + ".bias", H) : -1;
        clsW = sentence ? declare(specs, names.classifier() + ".weight", numLabels, H) : -1;
        clsB = sentence ? declare(specs, names.classifier() + ".bias", numLabels) : -1;
        tW = declare(specs, names.transform() + ".weight", E, H);
        tB = declare(specs, names.transform() + ".bias", E);
        tLnW = declare(specs, names.transformNorm() + ".weight", E);
        tLnB = declare(specs, names.transformNorm() + ".bias", E);
        decBias = declare(specs, names.decoderBias(), V);
        for (Object[] s : specs) {
            String name = (String) s[0];
            int[] shape = (int[]) s[1];
            int off = (Integer) s[2];
            Parameter p = new Parameter(name, shape, off, off + paramCount, size(shape), Parameter.decays(name));
            parameters.add(p);
            byName.put(name, p);
        }

        activationBase = checked((2L + stateSlots) * paramCount);
        int BT = maxBatch * seqLength, P = maxPredictions, B = maxBatch;
        emb = act((long) BT * E);
        embLn = act((long) BT * E);
        embMean = buffer(BT);
        embRstd = buffer(BT);
        embDrop = config.hiddenDropoutProb() > 0 ? act((long) BT * E) : embLn;
        mapped = mapping ? act((long) BT * H) : -1;
        acts = new LayerActivations[layers];
        for (int l = 0; l < layers; l++) acts[l] = layerActivations(BT, B);
        finalLn = config.preLayerNorm() ? act((long) BT * H) : -1;
        finalMean = config.preLayerNorm() ? buffer(BT) : -1;
        finalRstd = config.preLayerNorm() ? buffer(BT) : -1;
        hm = act((long) P * H);
        t1 = act((long) P * E);
        t2 = act((long) P * E);
        t3 = act((long) P * E);
        tMean = buffer(P);
        tRstd = buffer(P);
        logits = buffer((long) P * V);
        dlogits = buffer((long) P * V);
        mlmLoss = buffer(P);
        clsIn = sentence ? act((long) B * H) : -1;
        pooledPre = sentence ? act((long) B * H) : -1;
        pooled = sentence ? act((long) B * H) : -1;
        sentLogits = sentence ? buffer((long) B * numLabels) : -1;
        sentDlogits = sentence ? buffer((long) B * numLabels) : -1;
        sentLoss = sentence ? buffer(B) : -1;
        meanWeights = sentence ? buffer((long) B * B * seqLength) : -1;

        int in = 0;
        ids = in; in += BT;
        types = in; in += BT;
        mask = in; in += BT;
        positions = in; in += P;
        labels = in; in += P;
        mlmCorrect = in; in += P;
        sentLabels = in; in += B;
        sentCorrect = in; in += B;
        clsRows = in; in += B;
        relScores = config.relativePositions() ? buffer((long) B * NH * seqLength * seqLength) : -1;
        int sinusoid = config.positionEmbeddingType().equals(ModelConfig.SINUSOIDAL) ? buffer((long) seqLength * E) : -1;
        positionTable = wpe >= 0 ? wpe : sinusoid;
        backend.allocate(checked((long) activationBase + activationCount + gradientCount), in);
        if (sinusoid >= 0) backend.write(sinusoid, SinusoidalPositions.table(seqLength, E), 0, seqLength * E);
        int[] rows = new int[B];
        for (int b = 0; b < B; b++) rows[b] = b * seqLength;
        backend.writeInts(clsRows, rows, 0, B);
    }

    private int declare(List<Object[]> specs, String name, int... shape) {
        int off = paramCount;
        paramCount = checked((long) paramCount + size(shape));
        specs.add(new Object[] {name, shape, off});
        return off;
    }

    /** q, k, v weights and then their biases are declared back to back: one [3H,H] GEMM computes all three. */
    private LayerParams declareLayer(List<Object[]> specs, int n) {
        int qkvW = declare(specs, names.layer(n, LayerPart.QUERY) + ".weight", H, H);
        declare(specs, names.layer(n, LayerPart.KEY) + ".weight", H, H);
        declare(specs, names.layer(n, LayerPart.VALUE) + ".weight", H, H);
        int qkvB = declare(specs, names.layer(n, LayerPart.QUERY) + ".bias", H);
        declare(specs, names.layer(n, LayerPart.KEY) + ".bias", H);
        declare(specs, names.layer(n, LayerPart.VALUE) + ".bias", H);
        int attW = declare(specs, names.layer(n, LayerPart.ATTENTION_OUT) + ".weight", H, H);
        int attB = declare(specs, names.layer(n, LayerPart.ATTENTION_OUT) + ".bias", H);
        int ln1W = declare(specs, names.layer(n, LayerPart.ATTENTION_NORM) + ".weight", H);
        int ln1B = declare(specs, names.layer(n, LayerPart.ATTENTION_NORM) + ".bias", H);
        int fcW = declare(specs, names.layer(n, LayerPart.FFN_IN) + ".weight", I, H);
        int fcB = declare(specs, names.layer(n, LayerPart.FFN_IN) + ".bias", I);
        int projW = declare(specs, names.layer(n, LayerPart.FFN_OUT) + ".weight", H, I);
        int projB = declare(specs, names.layer(n, LayerPart.FFN_OUT) + ".bias", H);
        int ln2W = declare(specs, names.layer(n, LayerPart.FFN_NORM) + ".weight", H);
        int ln2B = declare(specs, names.layer(n, LayerPart.FFN_NORM) + ".bias", H);
        int dist = config.relativePositions()
                ? declare(specs, names.layer(n, LayerPart.DISTANCE_EMBEDDING) + ".weight", 2 * config.maxPositionEmbeddings() - 1, D)
                : -1;
        return new LayerParams(ln1W, ln1B, qkvW, qkvB, attW, attB, ln2W, ln2B, fcW, fcB, projW, projB, dist);
    }

    private LayerActivations layerActivations(int BT, int B) {
        long bth = (long) BT * H, att = (long) B * NH * seqLength * seqLength;
        int attention = buffer(att);
        return new LayerActivations(act(bth), buffer(BT), buffer(BT), act(3 * bth), attention,
                config.attentionProbsDropoutProb() > 0 ? buffer(att) : attention, act(bth), act(bth), act(bth),
                act(bth), buffer(BT), buffer(BT), act((long) BT * I), act((long) BT * I), act(bth), act(bth));
    }

    /** An activation with a gradient buffer. */
    private int act(long n) {
        int off = buffer(n);
        gradientSlot.put(off, gradientCount);
        gradientCount = checked(gradientCount + n);
        return off;
    }

    /** An activation without a gradient (nothing upstream needs one). */
    private int buffer(long n) {
        int off = checked((long) activationBase + activationCount);
        activationCount = checked(activationCount + n);
        return off;
    }

    private static int checked(long n) {
        if (n > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("the model needs " + n + " floats, more than one Java array holds: use a smaller batch");
        }
        return (int) n;
    }

    private static int size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return checked(n);
    }

    // ------------------------------------------------------------------ parameters by name

    public ModelConfig config() { return config; }

    @Override public Backend backend() { return backend; }

    public int seqLength() { return seqLength; }

    public int maxBatch() { return maxBatch; }

    public int maxPredictions() { return maxPredictions; }

    /** Every parameter tensor with its Hugging Face name, in a fixed order. */
    @Override public List<Parameter> parameters() { return Collections.unmodifiableList(parameters); }

    public Parameter parameter(String name) {
        Parameter p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("the model has no parameter '" + name + "'");
        return p;
    }

    @Override public int parameterCount() { return paramCount; }

    /** The arena offset of the gradient region (all parameters' gradients, contiguous). */
    @Override public int gradientBase() { return paramCount; }

    /** The arena offset of optimiser state slot s; parameter p's state is at stateBase(s) + p.offset(). */
    @Override public int stateBase(int slot) {
        if (slot < 0 || slot >= stateSlots) throw new IllegalArgumentException("state slot " + slot + " of " + stateSlots);
        return (2 + slot) * paramCount;
    }

    public float[] read(Parameter p) {
        float[] values = new float[p.size()];
        backend.read(p.offset(), values, 0, p.size());
        return values;
    }

    public void write(Parameter p, float[] values) {
        if (values.length != p.size()) throw new IllegalArgumentException(p.name() + " holds " + p.size() + " values, got " + values.length);
        backend.write(p.offset(), values, 0, p.size());
    }

    public float[] gradient(Parameter p) {
        float[] values = new float[p.size()];
        backend.read(p.gradOffset(), values, 0, p.size());
        return values;
    }

    /** BERT's initialisation: weights N(0, initializer_range), biases 0, LayerNorm gamma 1 and beta 0. */
    public void initialize(long seed) {
        for (Parameter p : parameters) {
            float[] values = new float[p.size()];
            String lower = p.name().toLowerCase(java.util.Locale.ROOT);
            boolean norm = lower.contains("layernorm") || lower.contains("layer_norm");
            if (norm && p.name().endsWith(".weight")) {
                java.util.Arrays.fill(values, 1f);
            } else if (p.decays()) {
                SplittableRandom random = new SplittableRandom(seed * 31 + p.name().hashCode());
                for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * config.initializerRange());
            }
            write(p, values);
        }
    }

    public void zeroGradients() { backend.fill(paramCount, paramCount, 0f); }

    // ------------------------------------------------------------------ forward

    /**
     * Runs the forward pass and the loss (whose logit gradients, scaled by gradScale, are ready for
     * {@link #backward}): the mean loss over this batch's masked positions plus the mean over its
     * sequences, dropout keyed by (seed, counter) with the batch's rows as sequences 0..B-1. Used
     * where a batch is a whole step (fine-tuning, evaluation with gradScale 0, tests).
     */
    public Losses forward(Batch batch, long seed, long counter, float gradScale) {
        int P = batch.predictions();
        return forward(batch, seed, counter, 0, P == 0 ? 0f : gradScale / P, gradScale / batch.batchSize());
    }

    /**
     * Runs the forward pass and the loss for a part of a global batch. The differentiated loss is
     * mlmScale * (sum of the masked positions' cross-entropies) + sentenceScale * (sum of the
     * sequences' sentence losses): with mlmScale = 1 / (masked positions of the global batch) and
     * sentenceScale = 1 / (its sequences), the gradients summed over its parts are those of the global
     * means, however it is split. The batch's row b is global sequence firstSequence + b, whose dropout
     * masks come from (seed, step, site, firstSequence + b) alone: the same arguments give the same bits.
     */
    public Losses forward(Batch batch, long seed, long step, int firstSequence, float mlmScale, float sentenceScale) {
        int B = batch.batchSize(), T = seqLength, P = batch.predictions(), BT = B * T;
        if (batch.seqLength() != T) throw new IllegalArgumentException("batch sequence length " + batch.seqLength() + ", model " + T);
        if (B > maxBatch) throw new IllegalArgumentException("batch of " + B + " exceeds the model's maximum " + maxBatch);
        if (P > maxPredictions) throw new IllegalArgumentException(P + " masked positions exceed the maximum " + maxPredictions);
        if (firstSequence < 0) throw new IllegalArgumentException("first global sequence " + firstSequence + " < 0");
        upload(batch);
        lastB = B;
        lastP = P;
        lastSeed = seed;
        lastStep = step;
        lastFirstSequence = firstSequence;
        float pH = config.hiddenDropoutProb();

        backend.embeddingForward(emb, ids, types, wte, positionTable, wtt, B, T, E);
        backend.layerNormForward(embLn, embMean, embRstd, emb, embLnW, embLnB, BT, E, config.layerNormEps());
        if (embDrop != embLn) backend.dropoutForward(embDrop, embLn, BT * E, pH, key(0), firstSequence, T * E);
        int x = embDrop;
        if (mapped >= 0) {
            backend.linearForward(mapped, embDrop, mapW, mapB, BT, H, E);
            x = mapped;
        }
        for (int l = 0; l < layers; l++) x = layerForward(l, x, B);
        if (finalLn >= 0) {
            backend.layerNormForward(finalLn, finalMean, finalRstd, x, finalLnW, finalLnB, BT, H, config.layerNormEps());
            x = finalLn;
        }
        double mlmSum = 0;
        int mlmRight = 0;
        if (P > 0) {
            backend.gatherRows(hm, x, positions, P, H);
            backend.linearForward(t1, hm, tW, tB, P, E, H);
            backend.geluForward(t2, t1, P * E);
            backend.layerNormForward(t3, tMean, tRstd, t2, tLnW, tLnB, P, E, config.layerNormEps());
            backend.linearForward(logits, t3, wte, decBias, P, V, E);
            backend.crossEntropy(mlmLoss, mlmCorrect, dlogits, logits, labels, P, V, mlmScale);
            mlmSum = sum(mlmLoss, P);
            mlmRight = count(mlmCorrect, P);
        }
        double sentenceSum = 0;
        int sentenceRight = 0;
        if (config.hasSentenceTask()) {
            if (pooling == SentencePooling.MEAN) {
                backend.write(meanWeights, meanWeights(batch.attentionMask(), B, T), 0, B * BT);
                backend.gemm(false, false, B, H, BT, meanWeights, BT, x, H, clsIn, H, false);
                backend.linearForward(sentLogits, clsIn, clsW, clsB, B, numLabels, H);
            } else {
                backend.gatherRows(clsIn, x, clsRows, B, H);
                backend.linearForward(pooledPre, clsIn, poolW, poolB, B, H, H);
                backend.tanhForward(pooled, pooledPre, B * H);
                backend.linearForward(sentLogits, pooled, clsW, clsB, B, numLabels, H);
            }
            if (numLabels == 1) {
                sentenceSum = squaredError(batch, sentenceScale);
            } else {
                backend.crossEntropy(sentLoss, sentCorrect, sentDlogits, sentLogits, sentLabels, B, numLabels, sentenceScale);
                sentenceSum = sum(sentLoss, B);
                sentenceRight = count(sentCorrect, B);
            }
        }
        return new Losses(mlmSum, mlmRight, P, sentenceSum, sentenceRight, config.hasSentenceTask() ? B : 0);
    }

    private int layerForward(int l, int x, int B) {
        LayerParams w = layerParams[l];
        LayerActivations a = acts[l];
        int T = seqLength, BT = B * T, n = BT * H;
        float pH = config.hiddenDropoutProb(), eps = config.layerNormEps();
        if (config.preLayerNorm()) {
            backend.layerNormForward(a.ln1, a.ln1Mean, a.ln1Rstd, x, w.ln1W, w.ln1B, BT, H, eps);
            attentionBlock(w, a, a.ln1, B, l);
            backend.residualForward(a.res1, x, a.attOut, n, pH, key(2 + 3 * l), lastFirstSequence, T * H);
            backend.layerNormForward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res1, w.ln2W, w.ln2B, BT, H, eps);
            feedForward(w, a, a.ln2, B);
            backend.residualForward(a.res2, a.res1, a.proj, n, pH, key(3 + 3 * l), lastFirstSequence, T * H);
            return a.res2;
        }
        attentionBlock(w, a, x, B, l);
        backend.residualForward(a.res1, x, a.attOut, n, pH, key(2 + 3 * l), lastFirstSequence, T * H);
        backend.layerNormForward(a.ln1, a.ln1Mean, a.ln1Rstd, a.res1, w.ln1W, w.ln1B, BT, H, eps);
        feedForward(w, a, a.ln1, B);
        backend.residualForward(a.res2, a.ln1, a.proj, n, pH, key(3 + 3 * l), lastFirstSequence, T * H);
        backend.layerNormForward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, w.ln2W, w.ln2B, BT, H, eps);
        return a.ln2;
    }

    private void attentionBlock(LayerParams w, LayerActivations a, int in, int B, int l) {
        int BT = B * seqLength;
        backend.linearForward(a.qkv, in, w.qkvW, w.qkvB, BT, 3 * H, H);
        if (w.dist >= 0) {
            backend.relativePositionForward(relScores, a.qkv, w.dist, B, seqLength, NH, D, config.maxPositionEmbeddings(),
                    keyQuery());
        }
        backend.attentionForward(a.ctx, a.att, a.attDrop, a.qkv, mask, B, seqLength, NH, D,
                config.attentionProbsDropoutProb(), key(1 + 3 * l), lastFirstSequence, w.dist >= 0 ? relScores : -1);
        backend.linearForward(a.attOut, a.ctx, w.attW, w.attB, BT, H, H);
    }

    private void feedForward(LayerParams w, LayerActivations a, int in, int B) {
        int BT = B * seqLength;
        backend.linearForward(a.fc, in, w.fcW, w.fcB, BT, I, H);
        backend.geluForward(a.fcGelu, a.fc, BT * I);
        backend.linearForward(a.proj, a.fcGelu, w.projW, w.projB, BT, H, I);
    }

    /** The sentence head's input from now on: the [CLS] pooler (the default) or the mean of the tokens. */
    public void sentencePooling(SentencePooling pooling) {
        if (!config.hasSentenceTask()) throw new IllegalStateException("objective mlm has no sentence head to pool for");
        this.pooling = pooling;
    }

    public SentencePooling sentencePooling() {
        return pooling;
    }

    /** Row b: 1/length_b at the positions b attends to (mask 1), 0 elsewhere, across all B*T rows. */
    private static float[] meanWeights(int[] attentionMask, int B, int T) {
        float[] w = new float[B * B * T];
        for (int b = 0; b < B; b++) {
            int length = 0;
            for (int t = 0; t < T; t++) length += attentionMask[b * T + t] != 0 ? 1 : 0;
            if (length == 0) throw new IllegalArgumentException("sequence " + b + " of the batch attends to no token");
            for (int t = 0; t < T; t++) {
                if (attentionMask[b * T + t] != 0) w[b * B * T + b * T + t] = 1f / length;
            }
        }
        return w;
    }

    // ------------------------------------------------------------------ backward

    /** Adds the gradients of the last forward pass's loss to the parameter gradients. */
    public void backward() {
        int B = lastB, P = lastP, T = seqLength, BT = B * T;
        backend.fill(activationBase + activationCount, gradientCount, 0f);
        int x = finalLn >= 0 ? finalLn : layerOutput(layers - 1);
        if (config.hasSentenceTask() && pooling == SentencePooling.MEAN) {
            backend.linearBackward(d(clsIn), g(clsW), g(clsB), sentDlogits, clsIn, clsW, B, numLabels, H);
            backend.gemm(true, false, BT, H, B, meanWeights, BT, d(clsIn), H, d(x), H, true);
        } else if (config.hasSentenceTask()) {
            backend.linearBackward(d(pooled), g(clsW), g(clsB), sentDlogits, pooled, clsW, B, numLabels, H);
            backend.tanhBackward(d(pooledPre), pooled, d(pooled), B * H);
            backend.linearBackward(d(clsIn), g(poolW), g(poolB), d(pooledPre), clsIn, poolW, B, H, H);
            backend.scatterAddRows(d(x), d(clsIn), clsRows, B, H);
        }
        if (P > 0) {
            backend.linearBackward(d(t3), g(wte), g(decBias), dlogits, t3, wte, P, V, E);
            backend.layerNormBackward(d(t2), g(tLnW), g(tLnB), d(t3), t2, tLnW, tMean, tRstd, P, E);
            backend.geluBackward(d(t1), t1, d(t2), P * E);
            backend.linearBackward(d(hm), g(tW), g(tB), d(t1), hm, tW, P, E, H);
            backend.scatterAddRows(d(x), d(hm), positions, P, H);
        }
        if (finalLn >= 0) {
            int last = layerOutput(layers - 1);
            backend.layerNormBackward(d(last), g(finalLnW), g(finalLnB), d(finalLn), last, finalLnW, finalMean, finalRstd, BT, H);
        }
        for (int l = layers - 1; l >= 0; l--) layerBackward(l, l == 0 ? layerInput0() : layerOutput(l - 1), B);
        if (mapped >= 0) backend.linearBackward(d(embDrop), g(mapW), g(mapB), d(mapped), embDrop, mapW, BT, H, E);
        if (embDrop != embLn) backend.dropoutBackward(d(embLn), d(embDrop), BT * E, config.hiddenDropoutProb(), key(0), lastFirstSequence, T * E);
        backend.layerNormBackward(d(emb), g(embLnW), g(embLnB), d(embLn), emb, embLnW, embMean, embRstd, BT, E);
        backend.embeddingBackward(g(wte), wpe >= 0 ? g(wpe) : -1, g(wtt), d(emb), ids, types, B, T, E);
    }

    private void layerBackward(int l, int x, int B) {
        LayerParams w = layerParams[l];
        LayerActivations a = acts[l];
        int T = seqLength, BT = B * T, n = BT * H;
        float pH = config.hiddenDropoutProb();
        if (config.preLayerNorm()) {
            backend.residualBackward(d(a.res1), d(a.proj), d(a.res2), n, pH, key(3 + 3 * l), lastFirstSequence, T * H);
            feedForwardBackward(w, a, a.ln2, B);
            backend.layerNormBackward(d(a.res1), g(w.ln2W), g(w.ln2B), d(a.ln2), a.res1, w.ln2W, a.ln2Mean, a.ln2Rstd, BT, H);
            backend.residualBackward(d(x), d(a.attOut), d(a.res1), n, pH, key(2 + 3 * l), lastFirstSequence, T * H);
            attentionBlockBackward(w, a, a.ln1, B, l);
            backend.layerNormBackward(d(x), g(w.ln1W), g(w.ln1B), d(a.ln1), x, w.ln1W, a.ln1Mean, a.ln1Rstd, BT, H);
            return;
        }
        backend.layerNormBackward(d(a.res2), g(w.ln2W), g(w.ln2B), d(a.ln2), a.res2, w.ln2W, a.ln2Mean, a.ln2Rstd, BT, H);
        backend.residualBackward(d(a.ln1), d(a.proj), d(a.res2), n, pH, key(3 + 3 * l), lastFirstSequence, T * H);
        feedForwardBackward(w, a, a.ln1, B);
        backend.layerNormBackward(d(a.res1), g(w.ln1W), g(w.ln1B), d(a.ln1), a.res1, w.ln1W, a.ln1Mean, a.ln1Rstd, BT, H);
        backend.residualBackward(d(x), d(a.attOut), d(a.res1), n, pH, key(2 + 3 * l), lastFirstSequence, T * H);
        attentionBlockBackward(w, a, x, B, l);
    }

    private void attentionBlockBackward(LayerParams w, LayerActivations a, int in, int B, int l) {
        int BT = B * seqLength;
        backend.linearBackward(d(a.ctx), g(w.attW), g(w.attB), d(a.attOut), a.ctx, w.attW, BT, H, H);
        if (w.dist >= 0) backend.fill(relScores, B * NH * seqLength * seqLength, 0f);
        backend.attentionBackward(d(a.qkv), d(a.ctx), a.att, a.attDrop, a.qkv, mask, B, seqLength, NH, D,
                config.attentionProbsDropoutProb(), key(1 + 3 * l), lastFirstSequence, w.dist >= 0 ? relScores : -1);
        if (w.dist >= 0) {
            backend.relativePositionBackward(d(a.qkv), g(w.dist), relScores, a.qkv, w.dist, B, seqLength, NH, D,
                    config.maxPositionEmbeddings(), keyQuery());
        }
        backend.linearBackward(d(in), g(w.qkvW), g(w.qkvB), d(a.qkv), in, w.qkvW, BT, 3 * H, H);
    }

    private void feedForwardBackward(LayerParams w, LayerActivations a, int in, int B) {
        int BT = B * seqLength;
        backend.linearBackward(d(a.fcGelu), g(w.projW), g(w.projB), d(a.proj), a.fcGelu, w.projW, BT, H, I);
        backend.geluBackward(d(a.fc), a.fc, d(a.fcGelu), BT * I);
        backend.linearBackward(d(in), g(w.fcW), g(w.fcB), d(a.fc), in, w.fcW, BT, I, H);
    }

    private boolean keyQuery() { return config.positionEmbeddingType().equals(ModelConfig.RELATIVE_KEY_QUERY); }

    private int layerInput0() { return mapped >= 0 ? mapped : embDrop; }

    private int layerOutput(int l) { return config.preLayerNorm() ? acts[l].res2 : acts[l].ln2; }

    /** The gradient of a parameter. */
    private int g(int param) { return param + paramCount; }

    /** The gradient of an activation. */
    private int d(int activation) {
        Integer slot = gradientSlot.get(activation);
        if (slot == null) throw new IllegalStateException("activation at " + activation + " has no gradient buffer");
        return activationBase + activationCount + slot;
    }

    // ------------------------------------------------------------------ batch and results

    private void upload(Batch batch) {
        int BT = batch.batchSize() * seqLength;
        for (int id : batch.inputIds()) {
            if (id < 0 || id >= V) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + V);
        }
        for (int t : batch.tokenTypeIds()) {
            if (t < 0 || t >= config.typeVocabSize()) throw new IllegalArgumentException("token type " + t + " >= type_vocab_size");
        }
        backend.writeInts(ids, batch.inputIds(), 0, BT);
        backend.writeInts(types, batch.tokenTypeIds(), 0, BT);
        backend.writeInts(mask, batch.attentionMask(), 0, BT);
        backend.writeInts(positions, batch.maskedPositions(), 0, batch.predictions());
        backend.writeInts(labels, batch.maskedLabels(), 0, batch.predictions());
        backend.writeInts(sentLabels, batch.sentenceLabels(), 0, batch.batchSize());
    }

    /**
     * The regression head's loss, the sum of (y - target)^2 over the batch (torch's MSELoss is this
     * over B), computed on the host (B values), with its gradient 2 (y - target) * scale written for backward.
     */
    private double squaredError(Batch batch, float scale) {
        if (batch.sentenceTargets() == null) {
            throw new IllegalArgumentException("num_labels 1 is a regression head: the batch needs sentenceTargets");
        }
        int B = batch.batchSize();
        float[] y = new float[B], grad = new float[B];
        backend.read(sentLogits, y, 0, B);
        double sum = 0;
        for (int b = 0; b < B; b++) {
            double diff = (double) y[b] - batch.sentenceTargets()[b];
            sum += diff * diff;
            grad[b] = (float) (2 * diff * scale);
        }
        backend.write(sentDlogits, grad, 0, B);
        return sum;
    }

    /** Sum of arena[off..off+n) in double, in index order. */
    private double sum(int off, int n) {
        float[] values = new float[n];
        backend.read(off, values, 0, n);
        double s = 0;
        for (float v : values) s += v;
        return s;
    }

    private int count(int off, int n) {
        int[] values = new int[n];
        backend.readInts(off, values, 0, n);
        int s = 0;
        for (int v : values) s += v;
        return s;
    }

    private int key(int site) { return CounterRng.key(lastSeed, lastStep, site); }

    /** The MLM logits [P, V] of the last forward pass. */
    public float[] mlmLogits() {
        float[] out = new float[lastP * V];
        backend.read(logits, out, 0, out.length);
        return out;
    }

    /** The sentence head's outputs [B, num_labels] of the last forward pass (objective nsp or sop). */
    public float[] sentenceLogits() {
        if (!config.hasSentenceTask()) throw new IllegalStateException("objective mlm has no sentence logits");
        float[] out = new float[lastB * numLabels];
        backend.read(sentLogits, out, 0, out.length);
        return out;
    }

    /** The encoder output [B, T, H] of the last forward pass (after the final LayerNorm for pre-LN). */
    public float[] hiddenStates() {
        float[] out = new float[lastB * seqLength * H];
        backend.read(finalLn >= 0 ? finalLn : layerOutput(layers - 1), out, 0, out.length);
        return out;
    }

    @Override
    public void close() { backend.close(); }
}
