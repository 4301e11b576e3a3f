package org.sparkbert.engine.model;

/**
 * Vaswani et al.'s fixed position encoding: PE[pos, 2i] = sin(pos / 10000^(2i/C)) and PE[pos, 2i+1]
 * = cos(pos / 10000^(2i/C)), interleaved as in the paper. Computed in double and rounded once, so
 * the engine, the checkpoint export and PyTorch's reference all hold the same floats.
 */
public final class SinusoidalPositions {

    private SinusoidalPositions() {}

    /** The table [rows, width], row-major. */
    public static float[] table(int rows, int width) {
        float[] out = new float[rows * width];
        for (int pos = 0; pos < rows; pos++) {
            for (int c = 0; c < width; c++) {
                double angle = pos / Math.pow(10000.0, (c - c % 2) / (double) width);
                out[pos * width + c] = (float) (c % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return out;
    }
}
