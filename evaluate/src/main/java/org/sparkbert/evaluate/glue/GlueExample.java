package org.sparkbert.evaluate.glue;

/**
 * One row of a GLUE file. {@code id} is the row's index column where the file has one (test files
 * always do: it is what a submission refers to), else the row's 0-based ordinal among data lines.
 * {@code line} is the 1-based line number in the file, for messages. A classification row has a
 * {@code label} index into {@link GlueTask#labels()}; an STS-B row has a {@code score}; a test row
 * has neither ({@code label} -1, {@code score} NaN). {@code textB} is null for single-sentence tasks.
 */
public record GlueExample(String id, int line, String textA, String textB, int label, double score) {
    public static final int NO_LABEL = -1;

    public boolean hasLabel() {
        return label != NO_LABEL;
    }

    public boolean hasScore() {
        return !Double.isNaN(score);
    }
}
