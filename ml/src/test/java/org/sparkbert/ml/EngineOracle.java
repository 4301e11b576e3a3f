package org.sparkbert.ml;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.checkpoint.CheckpointReader;
import org.sparkbert.engine.checkpoint.StoredTensor;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.Parameter;

/**
 * The engine's own forward pass for a checkpoint, one sequence at a time and unpadded (a model of
 * exactly its length): what the Spark stages' batched, padded vectors must equal.
 */
final class EngineOracle {
    private final ModelConfig config;
    private final Map<String, StoredTensor> weights;

    EngineOracle(Path checkpoint) throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        CheckpointReader.Loaded loaded = CheckpointReader.read(fs, new org.apache.hadoop.fs.Path(checkpoint.toUri()));
        config = loaded.model().withDropout(0f, 0f);
        weights = loaded.weights();
    }

    /** The last layer's outputs [T, H] for ids alone. */
    float[] hidden(int[] ids) {
        try (BertModel model = model(ids.length, 1)) {
            model.forward(batch(ids, new int[0], new int[0]), 0, 0, 0f);
            return model.hiddenStates();
        }
    }

    double[] meanPooled(int[] ids) {
        float[] hidden = hidden(ids);
        int h = config.hiddenSize();
        double[] v = new double[h];
        for (int pos = 0; pos < ids.length; pos++) {
            for (int j = 0; j < h; j++) {
                v[j] += hidden[pos * h + j] / (double) ids.length;
            }
        }
        return v;
    }

    double[] cls(int[] ids) {
        float[] hidden = hidden(ids);
        double[] v = new double[config.hiddenSize()];
        for (int j = 0; j < v.length; j++) {
            v[j] = hidden[j];
        }
        return v;
    }

    /** Sum over positions 1..n-2 (between [CLS] and [SEP]) of log p(true token | the rest, that token masked). */
    double pseudoLogLikelihood(int[] ids, int maskId) {
        double sum = 0;
        int v = config.vocabSize();
        try (BertModel model = model(ids.length, 1)) {
            for (int i = 1; i < ids.length - 1; i++) {
                int[] masked = ids.clone();
                masked[i] = maskId;
                model.forward(batch(masked, new int[] {i}, new int[] {ids[i]}), 0, 0, 0f);
                float[] logits = model.mlmLogits();
                double max = Double.NEGATIVE_INFINITY;
                for (float l : logits) {
                    max = Math.max(max, l);
                }
                double z = 0;
                for (int k = 0; k < v; k++) {
                    z += Math.exp(logits[k] - max);
                }
                sum += logits[ids[i]] - max - Math.log(z);
            }
        }
        return sum;
    }

    private BertModel model(int seqLength, int predictions) {
        BertModel model = new BertModel(config, Backends.cpu(1), 1, seqLength, predictions, 0);
        for (Parameter p : model.parameters()) {
            StoredTensor t = weights.get(p.name());
            if (t == null) {
                throw new IllegalStateException("the checkpoint has no " + p.name());
            }
            model.write(p, t.floats());
        }
        return model;
    }

    private static Batch batch(int[] ids, int[] positions, int[] labels) {
        int[] attention = new int[ids.length];
        java.util.Arrays.fill(attention, 1);
        return new Batch(1, ids.length, ids, new int[ids.length], attention, positions, labels, new int[1]);
    }
}
