package org.sparkbert.engine.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp and erf in float, as a scalar and a vector version built from the same sequence of IEEE
 * operations, so a vector lane and the scalar tail give the same bits. exp is Cephes' expf
 * (relative error about 1e-7); erf is Abramowitz and Stegun 7.1.26 (absolute error 1.5e-7).
 * Math.exp and Math.tanh go through double and are several times slower in the hot loops.
 */
final class FastMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private static final int ROUND_BITS = 0x4B400000;
    private static final float C1 = 0.693359375f;
    private static final float C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f,
            P1 = 1.3981999507e-3f,
            P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f,
            P5 = 5.0000001201e-1f;
    private static final float LO = -87.3f, HI = 88.7f;
    private static final float ERF_P = 0.3275911f;
    private static final float A1 = 0.254829592f,
            A2 = -0.284496736f,
            A3 = 1.421413741f,
            A4 = -1.453152027f,
            A5 = 1.061405429f;

    static float exp(float x) {
        x = Math.min(Math.max(x, LO), HI);
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        int e = Float.floatToRawIntBits(t) - ROUND_BITS;
        float r = Math.fma(n, -C1, x);
        r = Math.fma(n, -C2, r);
        float y = Math.fma(P0, r, P1);
        y = Math.fma(y, r, P2);
        y = Math.fma(y, r, P3);
        y = Math.fma(y, r, P4);
        y = Math.fma(y, r, P5);
        y = Math.fma(y, r * r, r) + 1f;
        return y * Float.intBitsToFloat((e + 127) << 23);
    }

    static FloatVector exp(FloatVector x) {
        x = x.max(LO).min(HI);
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        IntVector e = (IntVector) t.reinterpretAsInts();
        e = e.sub(ROUND_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector r = n.fma(FloatVector.broadcast(S, -C1), x);
        r = n.fma(FloatVector.broadcast(S, -C2), r);
        FloatVector y = FloatVector.broadcast(S, P0).fma(r, FloatVector.broadcast(S, P1));
        y = y.fma(r, FloatVector.broadcast(S, P2));
        y = y.fma(r, FloatVector.broadcast(S, P3));
        y = y.fma(r, FloatVector.broadcast(S, P4));
        y = y.fma(r, FloatVector.broadcast(S, P5));
        y = y.fma(r.mul(r), r).add(1f);
        return y.mul((FloatVector) e.reinterpretAsFloats());
    }

    /** erf(x), given e = exp(-x*x) computed by the caller (GELU needs that exponential again). */
    static float erf(float x, float e) {
        float ax = Math.abs(x);
        float t = 1f / Math.fma(ERF_P, ax, 1f);
        float p = Math.fma(A5, t, A4);
        p = Math.fma(p, t, A3);
        p = Math.fma(p, t, A2);
        p = Math.fma(p, t, A1);
        float y = 1f - p * t * e;
        return x < 0f ? -y : y;
    }

    static FloatVector erf(FloatVector x, FloatVector e) {
        FloatVector ax = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(ax.fma(ERF_P, 1f));
        FloatVector p = FloatVector.broadcast(S, A5).fma(t, FloatVector.broadcast(S, A4));
        p = p.fma(t, FloatVector.broadcast(S, A3));
        p = p.fma(t, FloatVector.broadcast(S, A2));
        p = p.fma(t, FloatVector.broadcast(S, A1));
        FloatVector y = FloatVector.broadcast(S, 1f).sub(p.mul(t).mul(e));
        return y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
    }

    static float erf(float x) {
        return erf(x, exp(-x * x));
    }

    private FastMath() {}
}
