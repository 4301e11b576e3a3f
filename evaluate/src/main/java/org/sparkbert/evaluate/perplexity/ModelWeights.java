package org.sparkbert.evaluate.perplexity;

import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.engine.checkpoint.StoredTensor;
import org.sparkbert.engine.hub.PretrainedModel;
import org.sparkbert.engine.hub.WarmStart;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;

/**
 * A checkpoint's model (sparkbert's, or a Hugging Face BERT directory) in a form Spark can broadcast:
 * its configuration as model-file properties and its tensors by engine (Hugging Face) name.
 * {@link #newModel} lays out an engine model of any batch shape and copies the tensors in through
 * {@link WarmStart}: a pooler or head the checkpoint lacks (a classifier added for fine-tuning an
 * mlm-only model) keeps its fresh initialisation and is logged; a missing encoder tensor is an error.
 */
public final class ModelWeights implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(ModelWeights.class);

    private final String source;
    private final Properties config;
    private final Map<String, float[]> tensors;
    private final Map<String, long[]> shapes;

    private ModelWeights(String source, Properties config, Map<String, float[]> tensors, Map<String, long[]> shapes) {
        this.source = source;
        this.config = config;
        this.tensors = tensors;
        this.shapes = shapes;
    }

    /**
     * Reads the checkpoint directory {@code dir} (a path or URI): a sparkbert checkpoint, verified
     * against its manifest, or a Hugging Face save_pretrained directory of a BERT model.
     */
    public static ModelWeights read(String dir, Configuration conf) throws IOException {
        Path path = new Path(dir);
        FileSystem fs = path.getFileSystem(conf);
        PretrainedModel loaded = PretrainedModel.read(fs, path);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : loaded.weights().entrySet()) {
            if (e.getValue().floats() == null) {
                throw new IOException(dir + ": tensor " + e.getKey() + " is not F32");
            }
            tensors.put(e.getKey(), e.getValue().floats());
            shapes.put(e.getKey(), e.getValue().shape());
        }
        return new ModelWeights(dir, properties(loaded.model()), tensors, shapes);
    }

    public ModelConfig config() {
        return ModelConfig.parse(config, source + "/config.json");
    }

    /**
     * An engine model of {@code config} (this checkpoint's, or a variant of it: other dropout, another
     * objective or sentence head) initialised from {@code seed}, then every tensor of the checkpoint it
     * has copied in, except those named by {@code keepFresh} (a new task's classifier).
     */
    public BertModel newModel(ModelConfig config, int threads, int maxBatch, int seqLength, int maxPredictions,
                              int stateSlots, long seed, Predicate<String> keepFresh) {
        return newModel(config, BackendChoice.cpu(), threads, maxBatch, seqLength, maxPredictions, stateSlots, seed, keepFresh);
    }

    /** As {@link #newModel(ModelConfig, int, int, int, int, int, long, Predicate)}, on the chosen backend. */
    public BertModel newModel(ModelConfig config, BackendChoice backend, int threads, int maxBatch, int seqLength,
                              int maxPredictions, int stateSlots, long seed, Predicate<String> keepFresh) {
        BertModel model = new BertModel(config, backend.open(threads), maxBatch, seqLength, maxPredictions, stateSlots);
        model.initialize(seed);
        Map<String, StoredTensor> stored = new LinkedHashMap<>();
        tensors.forEach((name, values) -> stored.put(name, StoredTensor.f32(values, shapes.get(name))));
        WarmStart.Applied applied;
        try {
            applied = WarmStart.apply(model, stored, source, keepFresh);
        } catch (IllegalArgumentException e) {
            model.close();
            throw e;
        }
        List<String> missing = applied.fresh().stream().filter(keepFresh.negate()).toList();
        if (!missing.isEmpty()) {
            LOG.info("{} lacks {} tensor(s) of this model, which start fresh: {}", source, missing.size(), missing);
        }
        return model;
    }

    static Properties properties(ModelConfig c) {
        Properties p = new Properties();
        p.setProperty("vocab_size", Integer.toString(c.vocabSize()));
        p.setProperty("hidden_size", Integer.toString(c.hiddenSize()));
        p.setProperty("num_hidden_layers", Integer.toString(c.numHiddenLayers()));
        p.setProperty("num_attention_heads", Integer.toString(c.numAttentionHeads()));
        p.setProperty("intermediate_size", Integer.toString(c.intermediateSize()));
        p.setProperty("max_position_embeddings", Integer.toString(c.maxPositionEmbeddings()));
        p.setProperty("type_vocab_size", Integer.toString(c.typeVocabSize()));
        p.setProperty("hidden_dropout_prob", Float.toString(c.hiddenDropoutProb()));
        p.setProperty("attention_probs_dropout_prob", Float.toString(c.attentionProbsDropoutProb()));
        p.setProperty("layer_norm_eps", Float.toString(c.layerNormEps()));
        p.setProperty("initializer_range", Float.toString(c.initializerRange()));
        p.setProperty("pre_layer_norm", Boolean.toString(c.preLayerNorm()));
        p.setProperty("embedding_size", Integer.toString(c.embeddingSize()));
        p.setProperty("share_layers", Boolean.toString(c.shareLayers()));
        p.setProperty("objective", c.objective());
        p.setProperty("num_labels", Integer.toString(c.numLabels()));
        p.setProperty("position_embedding_type", c.positionEmbeddingType());
        return p;
    }
}
