package org.sparkbert.engine.optim;

import org.sparkbert.engine.model.Trainable;

/** Global-norm clipping as torch.nn.utils.clip_grad_norm_: scale by max / (norm + 1e-6) when that is below 1. */
public final class GradientClipping {

    /** Clips the model's gradients in place and returns their norm before clipping. */
    public static double clip(Trainable model, float maxNorm) {
        double norm = norm(model);
        scaleTo(model, norm, maxNorm);
        return norm;
    }

    /** The global L2 norm of the model's gradients (NaN or infinite when any gradient is). */
    public static double norm(Trainable model) {
        return Math.sqrt(model.backend().sumOfSquares(model.gradientBase(), model.parameterCount()));
    }

    /** Scales gradients of global norm {@code norm} down to maxNorm when they exceed it. */
    public static void scaleTo(Trainable model, double norm, float maxNorm) {
        double coefficient = maxNorm / (norm + 1e-6);
        if (maxNorm > 0 && coefficient < 1)
            model.backend().scale(model.gradientBase(), model.parameterCount(), (float) coefficient);
    }

    private GradientClipping() {}
}
