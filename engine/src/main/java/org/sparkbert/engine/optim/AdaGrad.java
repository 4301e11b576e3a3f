package org.sparkbert.engine.optim;

import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.model.Trainable;

/** AdaGrad as torch.optim.Adagrad (no learning-rate decay, accumulator starting at 0). */
public record AdaGrad(float eps, float weightDecay) implements Optimizer {

    @Override
    public int stateSlots() {
        return 1;
    }

    @Override
    public void step(Trainable model, float lr, long t) {
        int sum = model.stateBase(0);
        for (Parameter p : model.parameters()) {
            model.backend()
                    .adagrad(
                            p.offset(),
                            p.gradOffset(),
                            sum + p.offset(),
                            p.size(),
                            lr,
                            eps,
                            p.decays() ? weightDecay : 0f);
        }
    }
}
