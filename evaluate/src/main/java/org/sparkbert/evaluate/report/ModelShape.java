package org.sparkbert.evaluate.report;

/** Depth and width of the pretrained encoder, from a checkpoint's Hugging Face style {@code config.json}. */
public record ModelShape(int layers, int hidden) {

    @Override
    public String toString() {
        return "L=" + layers + ", H=" + hidden;
    }
}
