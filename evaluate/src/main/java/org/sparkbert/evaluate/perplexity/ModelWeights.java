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
        return new ModelWeights(dir, loaded.model().toProperties(), tensors, shapes);
    }

    public ModelConfig config() {
        return ModelConfig.parse(config, source + "/config.json");
    }

    /**
     * An engine model of {@code config} (this checkpoint's, or a variant of it: other dropout, another
     * objective or sentence head) initialised from {@code seed}, then every tensor of the checkpoint it
     * has copied in, except those named by {@code keepFresh} (a new task's classifier).
     */
    public BertModel newModel(
            ModelConfig config,
            int threads,
            int maxBatch,
            int seqLength,
            int maxPredictions,
            int stateSlots,
            long seed,
            Predicate<String> keepFresh) {
        return newModel(
                config, BackendChoice.cpu(), threads, maxBatch, seqLength, maxPredictions, stateSlots, seed, keepFresh);
    }

    /** As {@link #newModel(ModelConfig, int, int, int, int, int, long, Predicate)}, on the chosen backend. */
    public BertModel newModel(
            ModelConfig config,
            BackendChoice backend,
            int threads,
            int maxBatch,
            int seqLength,
            int maxPredictions,
            int stateSlots,
            long seed,
            Predicate<String> keepFresh) {
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
        List<String> missing =
                applied.fresh().stream().filter(keepFresh.negate()).toList();
        if (!missing.isEmpty()) {
            LOG.info("{} lacks {} tensor(s) of this model, which start fresh: {}", source, missing.size(), missing);
        }
        return model;
    }
}
