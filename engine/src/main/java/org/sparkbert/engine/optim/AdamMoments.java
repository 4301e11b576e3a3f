package org.sparkbert.engine.optim;

import java.io.Serializable;

/**
 * The moment settings of the Adam family (AdamW, LAMB): the decay rates of the first and second
 * moment estimates and the epsilon added to the root of the second. Serializable because replicas
 * are built from it on executors.
 */
public record AdamMoments(float beta1, float beta2, float eps) implements Serializable {

    /** BERT's settings (Devlin et al. 2019): beta1 0.9, beta2 0.999, eps 1e-6. */
    public static final AdamMoments BERT = new AdamMoments(0.9f, 0.999f, 1e-6f);

    public AdamMoments {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
            throw new IllegalArgumentException(
                    "Adam moments need 0 <= beta1 < 1, 0 <= beta2 < 1 and eps > 0, got beta1 " + beta1 + ", beta2 "
                            + beta2 + ", eps " + eps);
        }
    }
}
