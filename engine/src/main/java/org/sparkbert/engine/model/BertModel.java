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
    private final int wte, wpe, wtt, embLnW, embLnB, finalLnW, finalLnB;
    private final int poolW, poolB, clsW, clsB, tW, tB, tLnW, tLnB, decBias;
    /** ELECTRA's discriminator head: dense [H,H] and dense_prediction [1,H] (-1 for other objectives). */
    private final int discW, discB, discPW, discPB;
    /** What the embeddings add per position: the learned table wpe, the fixed sinusoid, or -1 (relative positions). */
    private final int positionTable;

    // ---- activations, then the gradients of those that have one (attention probabilities, LayerNorm
    // statistics, logits and losses have none): [activations | activation gradients]
    private int activationBase, activationCount, gradientCount;
    private final Map<Integer, Integer> gradientSlot = new HashMap<>();
    private final int finalLn, finalMean, finalRstd;
    /** The model's own encoder (ELECTRA's discriminator) with its embeddings; ELECTRA's generator or null. */
    private final Encoder main, generator;

    private final Embedded mainInput, generatorInput;
    /** Width of the rows the MLM head reads: H, or the generator's hidden size for ELECTRA. */
    private final int headIn;

    private final int hm, t1, t2, t3, tMean, tRstd, logits, dlogits, mlmLoss;
    private final int discPre, discAct, discLogits, discDlogits, discLoss;
    private final int clsIn, pooledPre, pooled, sentLogits, sentDlogits, sentLoss;
    /** [B, B*T] weights of the mean pooling: row b holds 1/length_b at b's attended positions. */
    private final int meanWeights;

    private SentencePooling pooling = SentencePooling.CLS;
    /** Relative-position scores [B,NH,T,T], shared by the layers: the bias in forward, its gradient in backward. */
    private final int relScores;

    // ---- int arena
    private final int ids, types, mask, positions, labels, mlmCorrect, sentLabels, sentCorrect, clsRows;
    /** ELECTRA: the generator's samples [P], the discriminator's input ids, labels (1: replaced) and outcomes [B,T]. */
    private final int samples, discIds, discLabels, discOutcome;

    /** ELECTRA: the generator's tokens of the last forward pass; samples to use instead of drawing, or null. */
    private int[] lastSamples = new int[0], fixedSamples;

    // ---- the last forward pass, for backward
    private int lastB, lastP, lastFirstSequence;
    private long lastSeed, lastStep;

    /** Dropout sites of ELECTRA's generator start here (the model's own start at 0); its sampling has its own site. */
    private static final int GENERATOR_SITES = 1 << 16, SAMPLE_SITE = 1 << 17;

    /** A transformer encoder of its own width, over layers of the model's count; its dropout sites start at site. */
    private record Encoder(
            int hidden,
            int intermediate,
            int heads,
            int headSize,
            LayerParams[] params,
            LayerActivations[] acts,
            int site) {}

    /**
     * Embeddings of one encoder's input (ids in the int arena) up to the encoder's width: the shared
     * tables' sum, LayerNorm, dropout, then a projection to the encoder's hidden size where it differs
     * (mapW -1: none).
     */
    private record Embedded(
            int ids,
            int emb,
            int ln,
            int mean,
            int rstd,
            int drop,
            int mapW,
            int mapB,
            int mapped,
            int hidden,
            int site) {
        int output() {
            return mapped >= 0 ? mapped : drop;
        }
    }

    /** dist: the relative-position distance table [2M-1, D], or -1. */
    private record LayerParams(
            int ln1W,
            int ln1B,
            int qkvW,
            int qkvB,
            int attW,
            int attB,
            int ln2W,
            int ln2B,
            int fcW,
            int fcB,
            int projW,
            int projB,
            int dist) {}

    private record LayerActivations(
            int ln1,
            int ln1Mean,
            int ln1Rstd,
            int qkv,
            int att,
            int attDrop,
            int ctx,
            int attOut,
            int res1,
            int ln2,
            int ln2Mean,
            int ln2Rstd,
            int fc,
            int fcGelu,
            int proj,
            int res2) {}

    /**
     * Lays the model out for batches of at most maxBatch sequences of exactly seqLength tokens and at
     * most maxPredictions masked positions, with stateSlots parameter-sized optimiser buffers.
     */
    public BertModel(
            ModelConfig config, Backend backend, int maxBatch, int seqLength, int maxPredictions, int stateSlots) {
        if (config.vocabSize() <= 0)
            throw new IllegalArgumentException("the model configuration has no vocab_size yet: call withVocabSize");
        if (seqLength > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + seqLength + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
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
        wpe = config.learnedPositions()
                ? declare(specs, names.embedding("position_embeddings"), config.maxPositionEmbeddings(), E)
                : -1;
        wtt = declare(specs, names.embedding("token_type_embeddings"), config.typeVocabSize(), E);
        embLnW = declare(specs, names.embeddingNorm() + ".weight", E);
        embLnB = declare(specs, names.embeddingNorm() + ".bias", E);
        int mapW = E != H ? declare(specs, names.embeddingMapping() + ".weight", H, E) : -1;
        int mapB = E != H ? declare(specs, names.embeddingMapping() + ".bias", H) : -1;
        int distinctLayers = config.shareLayers() ? 1 : layers;
        LayerParams[] distinct = new LayerParams[distinctLayers];
        for (int l = 0; l < distinctLayers; l++) distinct[l] = declareLayer(specs, names, l, H, I, D);
        LayerParams[] layerParams = new LayerParams[layers];
        for (int l = 0; l < layers; l++) layerParams[l] = distinct[config.shareLayers() ? 0 : l];
        boolean electra = config.electra();
        discW = electra ? declare(specs, names.discriminatorDense() + ".weight", H, H) : -1;
        discB = electra ? declare(specs, names.discriminatorDense() + ".bias", H) : -1;
        discPW = electra ? declare(specs, names.discriminatorPrediction() + ".weight", 1, H) : -1;
        discPB = electra ? declare(specs, names.discriminatorPrediction() + ".bias", 1) : -1;
        ModelConfig gen = electra ? config.generator() : null;
        int Hg = electra ? gen.hiddenSize() : H;
        LayerParams[] generatorParams = new LayerParams[electra ? layers : 0];
        int genMapW = -1, genMapB = -1;
        if (electra) {
            TensorNames g = names.generator();
            genMapW = E != Hg ? declare(specs, g.embeddingMapping() + ".weight", Hg, E) : -1;
            genMapB = E != Hg ? declare(specs, g.embeddingMapping() + ".bias", Hg) : -1;
            for (int l = 0; l < layers; l++)
                generatorParams[l] = declareLayer(specs, g, l, Hg, gen.intermediateSize(), gen.headSize());
        }
        headIn = Hg;
        finalLnW = config.preLayerNorm() ? declare(specs, names.finalNorm() + ".weight", H) : -1;
        finalLnB = config.preLayerNorm() ? declare(specs, names.finalNorm() + ".bias", H) : -1;
        boolean sentence = config.hasSentenceTask();
        poolW = sentence ? declare(specs, names.pooler() + ".weight", H, H) : -1;
        poolB = sentence ? declare(specs, names.pooler() + ".bias", H) : -1;
        clsW = sentence ? declare(specs, names.classifier() + ".weight", numLabels, H) : -1;
        clsB = sentence ? declare(specs, names.classifier() + ".bias", numLabels) : -1;
        tW = declare(specs, names.transform() + ".weight", E, headIn);
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
        int in = 0;
        ids = in;
        in += BT;
        types = in;
        in += BT;
        mask = in;
        in += BT;
        positions = in;
        in += P;
        labels = in;
        in += P;
        mlmCorrect = in;
        in += P;
        sentLabels = in;
        in += B;
        sentCorrect = in;
        in += B;
        clsRows = in;
        in += B;
        samples = electra ? in : -1;
        in += electra ? P : 0;
        discIds = electra ? in : -1;
        in += electra ? BT : 0;
        discLabels = electra ? in : -1;
        in += electra ? BT : 0;
        discOutcome = electra ? in : -1;
        in += electra ? BT : 0;

        mainInput = embedded(electra ? discIds : ids, mapW, mapB, H, 0, BT);
        LayerActivations[] acts = new LayerActivations[layers];
        for (int l = 0; l < layers; l++) acts[l] = layerActivations(BT, B, H, NH, I);
        main = new Encoder(H, I, NH, D, layerParams, acts, 0);
        if (electra) {
            generatorInput = embedded(ids, genMapW, genMapB, Hg, GENERATOR_SITES, BT);
            LayerActivations[] genActs = new LayerActivations[layers];
            for (int l = 0; l < layers; l++)
                genActs[l] = layerActivations(BT, B, Hg, gen.numAttentionHeads(), gen.intermediateSize());
            generator = new Encoder(
                    Hg,
                    gen.intermediateSize(),
                    gen.numAttentionHeads(),
                    gen.headSize(),
                    generatorParams,
                    genActs,
                    GENERATOR_SITES);
        } else {
            generatorInput = null;
            generator = null;
        }
        finalLn = config.preLayerNorm() ? act((long) BT * H) : -1;
        finalMean = config.preLayerNorm() ? buffer(BT) : -1;
        finalRstd = config.preLayerNorm() ? buffer(BT) : -1;
        hm = act((long) P * headIn);
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
        discPre = electra ? act((long) BT * H) : -1;
        discAct = electra ? act((long) BT * H) : -1;
        discLogits = electra ? buffer(BT) : -1;
        discDlogits = electra ? buffer(BT) : -1;
        discLoss = electra ? buffer(BT) : -1;
        meanWeights = sentence ? buffer((long) B * B * seqLength) : -1;
        relScores = config.relativePositions() ? buffer((long) B * NH * seqLength * seqLength) : -1;
        int sinusoid =
                config.positionEmbeddingType().equals(ModelConfig.SINUSOIDAL) ? buffer((long) seqLength * E) : -1;
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
    private LayerParams declareLayer(List<Object[]> specs, TensorNames names, int n, int H, int I, int D) {
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
                ? declare(
                        specs,
                        names.layer(n, LayerPart.DISTANCE_EMBEDDING) + ".weight",
                        2 * config.maxPositionEmbeddings() - 1,
                        D)
                : -1;
        return new LayerParams(ln1W, ln1B, qkvW, qkvB, attW, attB, ln2W, ln2B, fcW, fcB, projW, projB, dist);
    }

    /** The activations of one network's embeddings for the ids at the given int-arena offset. */
    private Embedded embedded(int idsAt, int mapW, int mapB, int hidden, int site, int BT) {
        int e = act((long) BT * E), ln = act((long) BT * E), mean = buffer(BT), rstd = buffer(BT);
        int drop = config.hiddenDropoutProb() > 0 ? act((long) BT * E) : ln;
        int mapped = mapW >= 0 ? act((long) BT * hidden) : -1;
        return new Embedded(idsAt, e, ln, mean, rstd, drop, mapW, mapB, mapped, hidden, site);
    }

    private LayerActivations layerActivations(int BT, int B, int H, int NH, int I) {
        long bth = (long) BT * H, att = (long) B * NH * seqLength * seqLength;
        int attention = buffer(att);
        return new LayerActivations(
                act(bth),
                buffer(BT),
                buffer(BT),
                act(3 * bth),
                attention,
                config.attentionProbsDropoutProb() > 0 ? buffer(att) : attention,
                act(bth),
                act(bth),
                act(bth),
                act(bth),
                buffer(BT),
                buffer(BT),
                act((long) BT * I),
                act((long) BT * I),
                act(bth),
                act(bth));
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
            throw new IllegalArgumentException(
                    "the model needs " + n + " floats, more than one Java array holds: use a smaller batch");
        }
        return (int) n;
    }

    private static int size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return checked(n);
    }

    // ------------------------------------------------------------------ parameters by name

    public ModelConfig config() {
        return config;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    public int seqLength() {
        return seqLength;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int maxPredictions() {
        return maxPredictions;
    }

    /** Every parameter tensor with its Hugging Face name, in a fixed order. */
    @Override
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    public Parameter parameter(String name) {
        Parameter p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("the model has no parameter '" + name + "'");
        return p;
    }

    @Override
    public int parameterCount() {
        return paramCount;
    }

    /** The arena offset of the gradient region (all parameters' gradients, contiguous). */
    @Override
    public int gradientBase() {
        return paramCount;
    }

    /** The arena offset of optimiser state slot s; parameter p's state is at stateBase(s) + p.offset(). */
    @Override
    public int stateBase(int slot) {
        if (slot < 0 || slot >= stateSlots)
            throw new IllegalArgumentException("state slot " + slot + " of " + stateSlots);
        return (2 + slot) * paramCount;
    }

    public float[] read(Parameter p) {
        float[] values = new float[p.size()];
        backend.read(p.offset(), values, 0, p.size());
        return values;
    }

    public void write(Parameter p, float[] values) {
        if (values.length != p.size())
            throw new IllegalArgumentException(p.name() + " holds " + p.size() + " values, got " + values.length);
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
                SplittableRandom random =
                        new SplittableRandom(seed * 31 + p.name().hashCode());
                for (int i = 0; i < values.length; i++)
                    values[i] = (float) (random.nextGaussian() * config.initializerRange());
            }
            write(p, values);
        }
    }

    public void zeroGradients() {
        backend.fill(paramCount, paramCount, 0f);
    }

    // ------------------------------------------------------------------ forward

    /**
     * Runs the forward pass and the loss (whose logit gradients, scaled by gradScale, are ready for
     * {@link #backward}): the mean loss over this batch's masked positions plus the mean over its
     * sequences (for electra: plus discriminator_weight times the mean over its real tokens), dropout
     * keyed by (seed, counter) with the batch's rows as sequences 0..B-1. Used where a batch is a whole
     * step (fine-tuning, evaluation with gradScale 0, tests).
     */
    public Losses forward(Batch batch, long seed, long counter, float gradScale) {
        int P = batch.predictions();
        return forward(
                batch,
                seed,
                counter,
                0,
                P == 0 ? 0f : gradScale / P,
                gradScale / batch.batchSize(),
                gradScale * detectionWeight(batch.realTokens()));
    }

    /** As the seven-argument form with the discriminator's scale for this batch's tokens alone. */
    public Losses forward(Batch batch, long seed, long step, int firstSequence, float mlmScale, float sentenceScale) {
        return forward(batch, seed, step, firstSequence, mlmScale, sentenceScale, detectionWeight(batch.realTokens()));
    }

    /** discriminator_weight / tokens: the discriminator's term is its weighted mean over the real tokens. */
    public float detectionWeight(int tokens) {
        return tokens == 0 ? 0f : config.discriminatorWeight() / tokens;
    }

    /**
     * Runs the forward pass and the loss for a part of a global batch. The differentiated loss is
     * mlmScale * (sum of the masked positions' cross-entropies) + sentenceScale * (sum of the
     * sequences' sentence losses) + detectionScale * (sum of the real tokens' replaced-token
     * cross-entropies, electra only): with mlmScale = 1 / (masked positions of the global batch),
     * sentenceScale = 1 / (its sequences) and detectionScale = discriminator_weight / (its real tokens),
     * the gradients summed over its parts are those of the global means, however it is split. The
     * batch's row b is global sequence firstSequence + b, whose dropout masks (and ELECTRA's samples)
     * come from (seed, step, site, firstSequence + b) alone: the same arguments give the same bits.
     */
    public Losses forward(
            Batch batch,
            long seed,
            long step,
            int firstSequence,
            float mlmScale,
            float sentenceScale,
            float detectionScale) {
        int B = batch.batchSize(), T = seqLength, P = batch.predictions();
        if (batch.seqLength() != T)
            throw new IllegalArgumentException("batch sequence length " + batch.seqLength() + ", model " + T);
        if (B > maxBatch)
            throw new IllegalArgumentException("batch of " + B + " exceeds the model's maximum " + maxBatch);
        if (P > maxPredictions)
            throw new IllegalArgumentException(P + " masked positions exceed the maximum " + maxPredictions);
        if (firstSequence < 0) throw new IllegalArgumentException("first global sequence " + firstSequence + " < 0");
        upload(batch);
        lastB = B;
        lastP = P;
        lastSeed = seed;
        lastStep = step;
        lastFirstSequence = firstSequence;
        if (generator != null) return electraForward(batch, mlmScale, detectionScale);

        int x = encode(main, embed(mainInput, B), B);
        if (finalLn >= 0) {
            backend.layerNormForward(
                    finalLn, finalMean, finalRstd, x, finalLnW, finalLnB, B * T, H, config.layerNormEps());
            x = finalLn;
        }
        double mlmSum = 0;
        int mlmRight = 0;
        if (P > 0) {
            mlmHead(x, P, mlmScale);
            mlmSum = sum(mlmLoss, P);
            mlmRight = count(mlmCorrect, P);
        }
        double sentenceSum = 0;
        int sentenceRight = 0;
        if (config.hasSentenceTask()) {
            if (pooling == SentencePooling.MEAN) {
                int BT = B * T;
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
                backend.crossEntropy(
                        sentLoss, sentCorrect, sentDlogits, sentLogits, sentLabels, B, numLabels, sentenceScale);
                sentenceSum = sum(sentLoss, B);
                sentenceRight = count(sentCorrect, B);
            }
        }
        return new Losses(mlmSum, mlmRight, P, sentenceSum, sentenceRight, config.hasSentenceTask() ? B : 0);
    }

    /**
     * ELECTRA: the generator's MLM on the masked input, a sample from its distribution at each masked
     * position (not differentiated), and the discriminator's replaced-token detection over the input
     * with the samples put in.
     */
    private Losses electraForward(Batch batch, float mlmScale, float detectionScale) {
        int B = batch.batchSize(), T = seqLength, P = batch.predictions(), BT = B * T;
        double mlmSum = 0;
        int mlmRight = 0;
        int[] corrupted = java.util.Arrays.copyOf(batch.inputIds(), BT), replaced = new int[BT];
        if (P > 0) {
            int xg = encode(generator, embed(generatorInput, B), B);
            mlmHead(xg, P, mlmScale);
            mlmSum = sum(mlmLoss, P);
            mlmRight = count(mlmCorrect, P);
            int[] drawn = new int[P];
            if (fixedSamples != null) {
                if (fixedSamples.length != P)
                    throw new IllegalArgumentException(
                            fixedSamples.length + " fixed samples for " + P + " masked positions");
                System.arraycopy(fixedSamples, 0, drawn, 0, P);
            } else {
                backend.sampleTokens(samples, logits, positions, P, V, key(SAMPLE_SITE), lastFirstSequence, T);
                backend.readInts(samples, drawn, 0, P);
            }
            lastSamples = drawn;
            for (int i = 0; i < P; i++) {
                int q = batch.maskedPositions()[i];
                corrupted[q] = drawn[i];
                replaced[q] = drawn[i] != batch.maskedLabels()[i] ? 1 : 0;
            }
        }
        backend.writeInts(discIds, corrupted, 0, BT);
        backend.writeInts(discLabels, replaced, 0, BT);
        int x = encode(main, embed(mainInput, B), B);
        backend.linearForward(discPre, x, discW, discB, BT, H, H);
        backend.geluForward(discAct, discPre, BT * H);
        backend.linearForward(discLogits, discAct, discPW, discPB, BT, 1, H);
        backend.binaryCrossEntropy(
                discLoss, discOutcome, discDlogits, discLogits, discLabels, mask, BT, detectionScale);
        int[] outcome = new int[BT];
        backend.readInts(discOutcome, outcome, 0, BT);
        int[] counts = new int[5];
        for (int o : outcome) counts[o]++;
        int tokens = BT - counts[0];
        Detection detection = new Detection(
                sum(discLoss, BT),
                counts[1] + counts[4],
                counts[4],
                counts[2] + counts[4],
                counts[3] + counts[4],
                tokens);
        return new Losses(mlmSum, mlmRight, P, 0, 0, 0, detection);
    }

    /** Embeddings of the network's input ids; returns the activation its encoder reads. */
    private int embed(Embedded m, int B) {
        int T = seqLength, BT = B * T;
        backend.embeddingForward(m.emb(), m.ids(), types, wte, positionTable, wtt, B, T, E);
        backend.layerNormForward(m.ln(), m.mean(), m.rstd(), m.emb(), embLnW, embLnB, BT, E, config.layerNormEps());
        if (m.drop() != m.ln()) {
            backend.dropoutForward(
                    m.drop(), m.ln(), BT * E, config.hiddenDropoutProb(), key(m.site()), lastFirstSequence, T * E);
        }
        if (m.mapped() >= 0) backend.linearForward(m.mapped(), m.drop(), m.mapW(), m.mapB(), BT, m.hidden(), E);
        return m.output();
    }

    private int encode(Encoder e, int x, int B) {
        for (int l = 0; l < layers; l++) x = layerForward(e, l, x, B);
        return x;
    }

    /** The MLM head over the masked rows of x (headIn wide): transform, tied decoder, cross-entropy. */
    private void mlmHead(int x, int P, float mlmScale) {
        backend.gatherRows(hm, x, positions, P, headIn);
        backend.linearForward(t1, hm, tW, tB, P, E, headIn);
        backend.geluForward(t2, t1, P * E);
        backend.layerNormForward(t3, tMean, tRstd, t2, tLnW, tLnB, P, E, config.layerNormEps());
        backend.linearForward(logits, t3, wte, decBias, P, V, E);
        backend.crossEntropy(mlmLoss, mlmCorrect, dlogits, logits, labels, P, V, mlmScale);
    }

    private int layerForward(Encoder e, int l, int x, int B) {
        LayerParams w = e.params()[l];
        LayerActivations a = e.acts()[l];
        int T = seqLength, BT = B * T, H = e.hidden(), n = BT * H, s = e.site();
        float pH = config.hiddenDropoutProb(), eps = config.layerNormEps();
        if (config.preLayerNorm()) {
            backend.layerNormForward(a.ln1, a.ln1Mean, a.ln1Rstd, x, w.ln1W, w.ln1B, BT, H, eps);
            attentionBlock(e, w, a, a.ln1, B, l);
            backend.residualForward(a.res1, x, a.attOut, n, pH, key(s + 2 + 3 * l), lastFirstSequence, T * H);
            backend.layerNormForward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res1, w.ln2W, w.ln2B, BT, H, eps);
            feedForward(e, w, a, a.ln2, B);
            backend.residualForward(a.res2, a.res1, a.proj, n, pH, key(s + 3 + 3 * l), lastFirstSequence, T * H);
            return a.res2;
        }
        attentionBlock(e, w, a, x, B, l);
        backend.residualForward(a.res1, x, a.attOut, n, pH, key(s + 2 + 3 * l), lastFirstSequence, T * H);
        backend.layerNormForward(a.ln1, a.ln1Mean, a.ln1Rstd, a.res1, w.ln1W, w.ln1B, BT, H, eps);
        feedForward(e, w, a, a.ln1, B);
        backend.residualForward(a.res2, a.ln1, a.proj, n, pH, key(s + 3 + 3 * l), lastFirstSequence, T * H);
        backend.layerNormForward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, w.ln2W, w.ln2B, BT, H, eps);
        return a.ln2;
    }

    private void attentionBlock(Encoder e, LayerParams w, LayerActivations a, int in, int B, int l) {
        int BT = B * seqLength, H = e.hidden();
        backend.linearForward(a.qkv, in, w.qkvW, w.qkvB, BT, 3 * H, H);
        if (w.dist >= 0) {
            backend.relativePositionForward(
                    relScores,
                    a.qkv,
                    w.dist,
                    B,
                    seqLength,
                    e.heads(),
                    e.headSize(),
                    config.maxPositionEmbeddings(),
                    keyQuery());
        }
        backend.attentionForward(
                a.ctx,
                a.att,
                a.attDrop,
                a.qkv,
                mask,
                B,
                seqLength,
                e.heads(),
                e.headSize(),
                config.attentionProbsDropoutProb(),
                key(e.site() + 1 + 3 * l),
                lastFirstSequence,
                w.dist >= 0 ? relScores : -1);
        backend.linearForward(a.attOut, a.ctx, w.attW, w.attB, BT, H, H);
    }

    private void feedForward(Encoder e, LayerParams w, LayerActivations a, int in, int B) {
        int BT = B * seqLength, H = e.hidden(), I = e.intermediate();
        backend.linearForward(a.fc, in, w.fcW, w.fcB, BT, I, H);
        backend.geluForward(a.fcGelu, a.fc, BT * I);
        backend.linearForward(a.proj, a.fcGelu, w.projW, w.projB, BT, H, I);
    }

    /** The sentence head's input from now on: the [CLS] pooler (the default) or the mean of the tokens. */
    public void sentencePooling(SentencePooling pooling) {
        if (!config.hasSentenceTask())
            throw new IllegalStateException("objective mlm has no sentence head to pool for");
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
        int x = finalLn >= 0 ? finalLn : layerOutput(main, layers - 1);
        if (generator != null) {
            backend.linearBackward(d(discAct), g(discPW), g(discPB), discDlogits, discAct, discPW, BT, 1, H);
            backend.geluBackward(d(discPre), discPre, d(discAct), BT * H);
            backend.linearBackward(d(x), g(discW), g(discB), d(discPre), x, discW, BT, H, H);
            encodeBackward(main, mainInput, B);
            embedBackward(mainInput, B);
            if (P > 0) {
                mlmHeadBackward(layerOutput(generator, layers - 1), P);
                encodeBackward(generator, generatorInput, B);
                embedBackward(generatorInput, B);
            }
            return;
        }
        if (config.hasSentenceTask() && pooling == SentencePooling.MEAN) {
            backend.linearBackward(d(clsIn), g(clsW), g(clsB), sentDlogits, clsIn, clsW, B, numLabels, H);
            backend.gemm(true, false, BT, H, B, meanWeights, BT, d(clsIn), H, d(x), H, true);
        } else if (config.hasSentenceTask()) {
            backend.linearBackward(d(pooled), g(clsW), g(clsB), sentDlogits, pooled, clsW, B, numLabels, H);
            backend.tanhBackward(d(pooledPre), pooled, d(pooled), B * H);
            backend.linearBackward(d(clsIn), g(poolW), g(poolB), d(pooledPre), clsIn, poolW, B, H, H);
            backend.scatterAddRows(d(x), d(clsIn), clsRows, B, H);
        }
        if (P > 0) mlmHeadBackward(x, P);
        if (finalLn >= 0) {
            int last = layerOutput(main, layers - 1);
            backend.layerNormBackward(
                    d(last), g(finalLnW), g(finalLnB), d(finalLn), last, finalLnW, finalMean, finalRstd, BT, H);
        }
        encodeBackward(main, mainInput, B);
        embedBackward(mainInput, B);
    }

    private void mlmHeadBackward(int x, int P) {
        backend.linearBackward(d(t3), g(wte), g(decBias), dlogits, t3, wte, P, V, E);
        backend.layerNormBackward(d(t2), g(tLnW), g(tLnB), d(t3), t2, tLnW, tMean, tRstd, P, E);
        backend.geluBackward(d(t1), t1, d(t2), P * E);
        backend.linearBackward(d(hm), g(tW), g(tB), d(t1), hm, tW, P, E, headIn);
        backend.scatterAddRows(d(x), d(hm), positions, P, headIn);
    }

    private void encodeBackward(Encoder e, Embedded input, int B) {
        for (int l = layers - 1; l >= 0; l--) layerBackward(e, l, l == 0 ? input.output() : layerOutput(e, l - 1), B);
    }

    /** Into the shared tables: both of ELECTRA's networks add their embedding gradients to the same rows. */
    private void embedBackward(Embedded m, int B) {
        int T = seqLength, BT = B * T;
        if (m.mapped() >= 0) {
            backend.linearBackward(
                    d(m.drop()), g(m.mapW()), g(m.mapB()), d(m.mapped()), m.drop(), m.mapW(), BT, m.hidden(), E);
        }
        if (m.drop() != m.ln()) {
            backend.dropoutBackward(
                    d(m.ln()),
                    d(m.drop()),
                    BT * E,
                    config.hiddenDropoutProb(),
                    key(m.site()),
                    lastFirstSequence,
                    T * E);
        }
        backend.layerNormBackward(
                d(m.emb()), g(embLnW), g(embLnB), d(m.ln()), m.emb(), embLnW, m.mean(), m.rstd(), BT, E);
        backend.embeddingBackward(g(wte), wpe >= 0 ? g(wpe) : -1, g(wtt), d(m.emb()), m.ids(), types, B, T, E);
    }

    private void layerBackward(Encoder e, int l, int x, int B) {
        LayerParams w = e.params()[l];
        LayerActivations a = e.acts()[l];
        int T = seqLength, BT = B * T, H = e.hidden(), n = BT * H, s = e.site();
        float pH = config.hiddenDropoutProb();
        if (config.preLayerNorm()) {
            backend.residualBackward(
                    d(a.res1), d(a.proj), d(a.res2), n, pH, key(s + 3 + 3 * l), lastFirstSequence, T * H);
            feedForwardBackward(e, w, a, a.ln2, B);
            backend.layerNormBackward(
                    d(a.res1), g(w.ln2W), g(w.ln2B), d(a.ln2), a.res1, w.ln2W, a.ln2Mean, a.ln2Rstd, BT, H);
            backend.residualBackward(d(x), d(a.attOut), d(a.res1), n, pH, key(s + 2 + 3 * l), lastFirstSequence, T * H);
            attentionBlockBackward(e, w, a, a.ln1, B, l);
            backend.layerNormBackward(d(x), g(w.ln1W), g(w.ln1B), d(a.ln1), x, w.ln1W, a.ln1Mean, a.ln1Rstd, BT, H);
            return;
        }
        backend.layerNormBackward(
                d(a.res2), g(w.ln2W), g(w.ln2B), d(a.ln2), a.res2, w.ln2W, a.ln2Mean, a.ln2Rstd, BT, H);
        backend.residualBackward(d(a.ln1), d(a.proj), d(a.res2), n, pH, key(s + 3 + 3 * l), lastFirstSequence, T * H);
        feedForwardBackward(e, w, a, a.ln1, B);
        backend.layerNormBackward(
                d(a.res1), g(w.ln1W), g(w.ln1B), d(a.ln1), a.res1, w.ln1W, a.ln1Mean, a.ln1Rstd, BT, H);
        backend.residualBackward(d(x), d(a.attOut), d(a.res1), n, pH, key(s + 2 + 3 * l), lastFirstSequence, T * H);
        attentionBlockBackward(e, w, a, x, B, l);
    }

    private void attentionBlockBackward(Encoder e, LayerParams w, LayerActivations a, int in, int B, int l) {
        int BT = B * seqLength, H = e.hidden(), NH = e.heads(), D = e.headSize();
        backend.linearBackward(d(a.ctx), g(w.attW), g(w.attB), d(a.attOut), a.ctx, w.attW, BT, H, H);
        if (w.dist >= 0) backend.fill(relScores, B * NH * seqLength * seqLength, 0f);
        backend.attentionBackward(
                d(a.qkv),
                d(a.ctx),
                a.att,
                a.attDrop,
                a.qkv,
                mask,
                B,
                seqLength,
                NH,
                D,
                config.attentionProbsDropoutProb(),
                key(e.site() + 1 + 3 * l),
                lastFirstSequence,
                w.dist >= 0 ? relScores : -1);
        if (w.dist >= 0) {
            backend.relativePositionBackward(
                    d(a.qkv),
                    g(w.dist),
                    relScores,
                    a.qkv,
                    w.dist,
                    B,
                    seqLength,
                    NH,
                    D,
                    config.maxPositionEmbeddings(),
                    keyQuery());
        }
        backend.linearBackward(d(in), g(w.qkvW), g(w.qkvB), d(a.qkv), in, w.qkvW, BT, 3 * H, H);
    }

    private void feedForwardBackward(Encoder e, LayerParams w, LayerActivations a, int in, int B) {
        int BT = B * seqLength, H = e.hidden(), I = e.intermediate();
        backend.linearBackward(d(a.fcGelu), g(w.projW), g(w.projB), d(a.proj), a.fcGelu, w.projW, BT, H, I);
        backend.geluBackward(d(a.fc), a.fc, d(a.fcGelu), BT * I);
        backend.linearBackward(d(in), g(w.fcW), g(w.fcB), d(a.fc), in, w.fcW, BT, I, H);
    }

    private boolean keyQuery() {
        return config.positionEmbeddingType().equals(ModelConfig.RELATIVE_KEY_QUERY);
    }

    private int layerOutput(Encoder e, int l) {
        return config.preLayerNorm() ? e.acts()[l].res2 : e.acts()[l].ln2;
    }

    /** The gradient of a parameter. */
    private int g(int param) {
        return param + paramCount;
    }

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
            if (id < 0 || id >= V)
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + V);
        }
        for (int t : batch.tokenTypeIds()) {
            if (t < 0 || t >= config.typeVocabSize())
                throw new IllegalArgumentException("token type " + t + " >= type_vocab_size");
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

    private int key(int site) {
        return CounterRng.key(lastSeed, lastStep, site);
    }

    /** ELECTRA: the tokens the generator put at the masked positions in the last forward pass, in their order. */
    public int[] generatorSamples() {
        if (generator == null) throw new IllegalStateException("objective " + config.objective() + " has no generator");
        return lastSamples.clone();
    }

    /**
     * ELECTRA: the tokens to put at the masked positions in the next forward passes instead of drawing
     * them (null: draw again), so that a reference implementation can be fed the same corrupted input.
     */
    public void fixSamples(int[] tokens) {
        if (generator == null) throw new IllegalStateException("objective " + config.objective() + " has no generator");
        fixedSamples = tokens == null ? null : tokens.clone();
    }

    /** ELECTRA: the discriminator's replaced-token logits [B, T] of the last forward pass (padding included). */
    public float[] discriminatorLogits() {
        if (generator == null)
            throw new IllegalStateException("objective " + config.objective() + " has no discriminator head");
        float[] out = new float[lastB * seqLength];
        backend.read(discLogits, out, 0, out.length);
        return out;
    }

    /** The MLM logits [P, V] of the last forward pass (ELECTRA: the generator's). */
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
        backend.read(finalLn >= 0 ? finalLn : layerOutput(main, layers - 1), out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        backend.close();
    }
}
