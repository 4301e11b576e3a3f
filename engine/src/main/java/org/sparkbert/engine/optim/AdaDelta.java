package org.sparkbert.engine.optim;

import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.model.Trainable;

/** AdaDelta (Zeiler 2012) as torch.optim.Adadelta; lr scales the step (torch's default is 1.0). */
public record AdaDelta(float rho, float eps, float weightDecay) implements Optimizer {

    @Override
    public int stateSlots() {
        return 2;
    }

    @Override
    public void step(Trainable model, float lr, long t) {
        int sq = model.stateBase(0), acc = model.stateBase(1);
        for (Parameter p : model.parameters()) {
            model.backend()
                    .adadelta(
                            p.offset(),
                            p.gradOffset(),
                            sq + p.offset(),
                            acc + p.offset(),
                            p.size(),
                            lr,
                            rho,
                            eps,
                            p.decays() ? weightDecay : 0f);
        }
    }
}
