package org.sparkbert.train.checkpoint;

/**
 * What a checkpoint's config.json says about the model: the Hugging Face config keys and ours
 * (pre_layer_norm, embedding_size, share_layers, objective), as the model configuration holds them.
 */
public record ModelDescription(
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        double layerNormEps,
        double initializerRange,
        boolean preLayerNorm,
        int embeddingSize,
        boolean shareLayers,
        String objective) {

    public ModelDescription {
        if (!objective.equals("nsp") && !objective.equals("sop") && !objective.equals("mlm")) {
            throw new IllegalArgumentException("objective must be nsp, sop or mlm, not '" + objective + "'");
        }
    }

    /** ALBERT's tensor names hold a factorised embedding or one shared layer; BERT's cannot. */
    public boolean albertOptions() {
        return shareLayers || embeddingSize != hiddenSize;
    }
}
