package org.sparkbert.engine.optim;

import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.model.Trainable;

/** SGD with momentum (dampening 0), optionally Nesterov, as torch.optim.SGD. */
public record Sgd(float momentum, boolean nesterov, float weightDecay) implements Optimizer {

    @Override
    public int stateSlots() {
        return 1;
    }

    @Override
    public void step(Trainable model, float lr, long t) {
        int buf = model.stateBase(0);
        for (Parameter p : model.parameters()) {
            model.backend()
                    .sgd(
                            p.offset(),
                            p.gradOffset(),
                            buf + p.offset(),
                            p.size(),
                            lr,
                            momentum,
                            nesterov,
                            p.decays() ? weightDecay : 0f);
        }
    }
}
