package org.sparkbert.engine.backend;

/**
 * Inverse-CDF sampling from softmax(logits) in the one order both backends follow (the OpenCL
 * kernel runs the same float steps), so a draw is the same token on either backend up to the
 * rounding of exp.
 */
final class SoftmaxSampler {

    /** The first j whose running sum of exp(x[j] - max) exceeds u times the total; V - 1 if none. */
    static int draw(float[] f, int x, int V, float u) {
        float max = f[x];
        for (int j = 1; j < V; j++) max = Math.max(max, f[x + j]);
        float total = 0f;
        for (int j = 0; j < V; j++) total += (float) Math.exp(f[x + j] - max);
        float threshold = u * total, running = 0f;
        for (int j = 0; j < V; j++) {
            running += (float) Math.exp(f[x + j] - max);
            if (running > threshold) return j;
        }
        return V - 1;
    }

    private SoftmaxSampler() {}
}
