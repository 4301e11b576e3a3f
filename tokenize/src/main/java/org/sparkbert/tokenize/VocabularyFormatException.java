package org.sparkbert.tokenize;

/** A vocabulary file that cannot be used as it is: the message names the file, the line and the fix. */
public final class VocabularyFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public VocabularyFormatException(String message) {
        super(message);
    }
}
