package org.sparkbert.engine.loop;

/** A run stopped because its loss or gradients stayed non-finite (NaN or infinite) for too many steps in a row. */
public final class NonFiniteTrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NonFiniteTrainingException(String message) {
        super(message);
    }
}
