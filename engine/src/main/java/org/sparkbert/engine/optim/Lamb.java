package org.sparkbert.engine.optim;

import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.model.Trainable;

/**
 * LAMB (You et al. 2019): the bias-corrected Adam direction plus decoupled weight decay, scaled per
 * tensor by the trust ratio ||w|| / ||update|| (1 when either norm is zero).
 */
public record Lamb(float beta1, float beta2, float eps, float weightDecay) implements Optimizer {

    @Override
    public int stateSlots() {
        return 2;
    }

    @Override
    public void step(Trainable model, float lr, long t) {
        float bc1 = (float) (1 - Math.pow(beta1, t)), bc2 = (float) (1 - Math.pow(beta2, t));
        int m = model.stateBase(0), v = model.stateBase(1);
        var be = model.backend();
        for (Parameter p : model.parameters()) {
            be.lambDirection(
                    p.offset(),
                    p.gradOffset(),
                    m + p.offset(),
                    v + p.offset(),
                    p.size(),
                    beta1,
                    beta2,
                    eps,
                    p.decays() ? weightDecay : 0f,
                    bc1,
                    bc2);
            double w = Math.sqrt(be.sumOfSquares(p.offset(), p.size()));
            double u = Math.sqrt(be.sumOfSquares(p.gradOffset(), p.size()));
            double trust = w > 0 && u > 0 ? w / u : 1.0;
            be.axpy(p.offset(), p.gradOffset(), p.size(), (float) (-lr * trust));
        }
    }
}
