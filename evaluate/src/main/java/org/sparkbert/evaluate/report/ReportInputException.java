package org.sparkbert.evaluate.report;

/** An input of the report (metrics.jsonl, perplexity.json, a task result) that cannot be read as documented. */
public final class ReportInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReportInputException(String message) {
        super(message);
    }

    public ReportInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
