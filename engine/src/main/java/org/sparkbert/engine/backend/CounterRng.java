package org.sparkbert.engine.backend;

/**
 * Counter-based random numbers: the value for (key, index) is a hash, with no state to carry, so a
 * dropout mask is regenerated in the backward pass instead of stored, any thread (or OpenCL work
 * item) computes any element, and a step is a pure function of (seed, step, site). Each sequence
 * of a batch draws from its own key, {@link #sequenceKey}(site key, global sequence index), with the
 * element's index within the sequence as the counter: a sequence's mask is then the same whichever
 * micro-batch or replica holds it. Integer-only arithmetic, so the same function is a few lines of OpenCL.
 */
public final class CounterRng {

    /** The key of one dropout site in one step (site numbers are fixed by the model). */
    public static int key(long seed, long step, int site) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = mix64(h ^ step);
        h = mix64(h ^ ((long) site * 0xC2B2AE3D27D4EB4FL));
        return (int) (h ^ (h >>> 32));
    }

    /**
     * The key of one sequence at one dropout site: its index in the global batch of the step, so that
     * the mask does not depend on how the global batch is split into micro-batches and replicas.
     */
    public static int sequenceKey(int key, int sequence) {
        return mix32(key ^ mix32(sequence * 0xC2B2AE35 + 0x165667B1));
    }

    /** A uniform float in [0, 1) with 24 random bits. */
    public static float uniform(int key, int index) {
        return bits24(key, index) * 0x1p-24f;
    }

    /** The 24 random bits behind {@link #uniform}. */
    public static int bits24(int key, int index) {
        int h = mix32(index * 0x9E3779B9 + key);
        h = mix32(h ^ key);
        return h >>> 8;
    }

    /** uniform(key, i) >= p exactly when bits24(key, i) >= keepThreshold(p): dropout as an integer compare. */
    public static int keepThreshold(float p) {
        return (int) Math.ceil(p * 16777216.0);
    }

    static int mix32(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private CounterRng() {}
}
