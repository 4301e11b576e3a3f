package org.sparkbert.evaluate.glue;

/** A GLUE file that does not have its task's documented layout; the message names the file and line. */
public final class GlueFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GlueFormatException(String source, int line, String problem) {
        super(source + ":" + line + ": " + problem);
    }

    public GlueFormatException(String source, int line, String problem, Throwable cause) {
        super(source + ":" + line + ": " + problem, cause);
    }
}
