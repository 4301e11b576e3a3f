package org.sparkbert.engine.optim;

import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.model.Trainable;

/** Adam with decoupled weight decay (Loshchilov and Hutter), bias-corrected, as torch.optim.AdamW. */
public record AdamW(float beta1, float beta2, float eps, float weightDecay) implements Optimizer {

    @Override
    public int stateSlots() {
        return 2;
    }

    @Override
    public void step(Trainable model, float lr, long t) {
        float bc1 = (float) (1 - Math.pow(beta1, t)), bc2 = (float) (1 - Math.pow(beta2, t));
        int m = model.stateBase(0), v = model.stateBase(1);
        for (Parameter p : model.parameters()) {
            model.backend()
                    .adamw(
                            p.offset(),
                            p.gradOffset(),
                            m + p.offset(),
                            v + p.offset(),
                            p.size(),
                            lr,
                            beta1,
                            beta2,
                            eps,
                            p.decays() ? weightDecay : 0f,
                            bc1,
                            bc2);
        }
    }
}
