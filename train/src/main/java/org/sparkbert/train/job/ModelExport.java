package org.sparkbert.train.job;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkbert.train.checkpoint.ModelDescription;
import org.sparkbert.train.checkpoint.StoredTensor;
import org.sparkbert.train.model.BertModel;
import org.sparkbert.train.model.ModelConfig;
import org.sparkbert.train.model.Parameter;

/** The engine's model as a checkpoint sees it: its configuration and its named tensors. */
public final class ModelExport {

    private ModelExport() {
    }

    public static ModelDescription description(ModelConfig c) {
        return new ModelDescription(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(),
                c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize(), decimal(c.hiddenDropoutProb()),
                decimal(c.attentionProbsDropoutProb()), decimal(c.layerNormEps()), decimal(c.initializerRange()),
                c.preLayerNorm(), c.embeddingSize(), c.shareLayers(), c.objective());
    }

    public static Map<String, StoredTensor> tensors(BertModel model) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            long[] shape = java.util.Arrays.stream(p.shape()).asLongStream().toArray();
            out.put(p.name(), StoredTensor.f32(model.read(p), shape));
        }
        return out;
    }

    /** A float setting as the decimal it was written as (1e-12, not 9.999999960041972E-13). */
    private static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }
}
