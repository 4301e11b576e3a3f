package org.sparkbert.train.job;

/**
 * One row of the instances stage's output, unpadded: {@code [CLS] A [SEP] B [SEP]} (or packed
 * sentences for mlm), its segment ids, and its NSP/SOP label ({@link #NO_LABEL} for mlm).
 * Serializable: the distributed trainer ships instances to the executors as they are.
 */
public record Instance(long id, int[] inputIds, int[] tokenTypeIds, int label) implements java.io.Serializable {
    public static final int NO_LABEL = -1;

    public Instance {
        if (inputIds.length != tokenTypeIds.length) {
            throw new IllegalArgumentException("instance " + id + ": " + inputIds.length + " input ids but "
                    + tokenTypeIds.length + " token type ids");
        }
    }

    public int length() {
        return inputIds.length;
    }
}
