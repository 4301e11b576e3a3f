package org.sparkbert.engine.model;

import java.util.Arrays;

/**
 * One named parameter tensor (a Hugging Face name) and where it lives: its values at
 * {@code offset} in the backend's float arena, its gradient at {@code gradOffset}. Several names
 * may not share storage; the tied MLM decoder is simply the word embeddings.
 */
public record Parameter(String name, int[] shape, int offset, int gradOffset, int size, boolean decays) {

    public Parameter {
        if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) != size) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " does not hold " + size);
        }
    }

    /** Biases and LayerNorm parameters are excluded from weight decay, as BERT and Hugging Face do. */
    static boolean decays(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return !(lower.endsWith("bias") || lower.contains("layernorm") || lower.contains("layer_norm"));
    }
}
