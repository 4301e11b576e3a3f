package org.sparkbert.engine.model;

import java.util.List;
import org.sparkbert.engine.backend.Backend;

/**
 * What an optimiser sees of a model: named parameters in a backend's float arena, their gradients
 * (one contiguous region) and parameter-sized state slots, where parameter p's state in slot s is
 * at stateBase(s) + p.offset().
 */
public interface Trainable {
    Backend backend();

    List<Parameter> parameters();

    /** Total parameter values; the gradient region [gradientBase(), gradientBase() + parameterCount()). */
    int parameterCount();

    int gradientBase();

    int stateBase(int slot);
}
