package org.sparkbert.engine.collective;

import java.util.SplittableRandom;

/** Gradient-like test buffers, reproducible from (seed, rank). */
public final class TestBuffers {
    private TestBuffers() {}

    /**
     * Multiples of 2^-8 below 2^12 in magnitude: any sum of up to 16 of them fits a float's 24-bit
     * significand, so every summation order gives the exact sum and the oracle is a plain double sum.
     */
    public static float[] exactlySummable(long seed, int rank, int length) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + rank);
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextInt(-(1 << 20), 1 << 20) / 256f;
        }
        return values;
    }

    /** Ordinary floats spanning several magnitudes, whose sum depends on the order of additions. */
    public static float[] gaussian(long seed, int rank, int length) {
        SplittableRandom random = new SplittableRandom(seed * 7_919L + rank);
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            double u1 = random.nextDouble();
            double u2 = random.nextDouble();
            double normal = Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
            values[i] = (float) (normal * Math.pow(10, random.nextInt(-3, 4)));
        }
        return values;
    }

    /** The sum over ranks, element by element, in double. */
    public static double[] doubleSum(float[][] perRank) {
        double[] sum = new double[perRank[0].length];
        for (float[] values : perRank) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += values[i];
            }
        }
        return sum;
    }
}
