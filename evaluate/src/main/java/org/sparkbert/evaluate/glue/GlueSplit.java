package org.sparkbert.evaluate.glue;

/**
 * One file of a GLUE task: {@code train}, a dev file ({@code dev}, or MNLI's {@code dev_matched} and
 * {@code dev_mismatched}) or a test file. A test split also names its file in a GLUE server
 * submission ({@code MNLI-m.tsv}, {@code SST-2.tsv}, ...).
 */
public record GlueSplit(GlueTask task, String name, TsvLayout layout, String submissionName) {

    public String fileName() {
        return name + ".tsv";
    }

    /** The file's path relative to a GLUE data directory, e.g. {@code MNLI/dev_matched.tsv}. */
    public String relativePath() {
        return task.directoryName() + "/" + fileName();
    }

    public boolean isLabelled() {
        return layout.isLabelled();
    }

    /** The submission file name the GLUE server expects, e.g. {@code MNLI-mm.tsv}; only for test splits. */
    public String submissionFileName() {
        if (submissionName == null) {
            throw new IllegalStateException(relativePath() + " is not a test split: it has no submission file");
        }
        return submissionName + ".tsv";
    }

    @Override
    public String toString() {
        return relativePath();
    }
}
