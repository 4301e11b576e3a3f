package org.sparkbert.engine.optim;

import org.sparkbert.engine.model.Trainable;

/**
 * Applies one update to every parameter from its gradient. Weight decay is never applied to
 * biases and LayerNorm parameters ({@link org.sparkbert.engine.model.Parameter#decays}).
 */
public interface Optimizer {

    /** The names {@link #named} accepts. */
    String NAMES = "adamw, lamb, sgd (momentum 0.9), nesterov (SGD, Nesterov momentum 0.9), adagrad, adadelta";

    /** An optimiser by name with the usual defaults and the given weight decay. */
    static Optimizer named(String name, float weightDecay) {
        return named(name, weightDecay, AdamMoments.BERT);
    }

    /** An optimiser by name with the given weight decay; adamw and lamb take their moments from {@code moments}. */
    static Optimizer named(String name, float weightDecay, AdamMoments moments) {
        return switch (name) {
            case "adamw" -> new AdamW(moments.beta1(), moments.beta2(), moments.eps(), weightDecay);
            case "lamb" -> new Lamb(moments.beta1(), moments.beta2(), moments.eps(), weightDecay);
            case "sgd" -> new Sgd(0.9f, false, weightDecay);
            case "nesterov" -> new Sgd(0.9f, true, weightDecay);
            case "adagrad" -> new AdaGrad(1e-10f, weightDecay);
            case "adadelta" -> new AdaDelta(0.9f, 1e-6f, weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "': use one of " + NAMES);
        };
    }

    /** Parameter-sized state buffers this optimiser needs (moments, accumulators). */
    int stateSlots();

    /** Applies update number t (1-based, for bias correction) with learning rate lr. */
    void step(Trainable model, float lr, long t);
}
