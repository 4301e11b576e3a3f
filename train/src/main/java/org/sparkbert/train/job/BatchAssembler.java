package org.sparkbert.train.job;

import java.util.Arrays;
import java.util.List;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.MaskedInstance;

/**
 * Builds the engine's batches: masks each instance afresh for (seed, epoch, instance id) with the
 * masking library, pads every row to one fixed length (so that the engine's buffers keep their
 * shapes from step to step) and flattens the masked positions to b*T+t.
 */
public final class BatchAssembler {

    private final DynamicMasker masker;
    private final int padId;
    private final int seqLength;

    public BatchAssembler(DynamicMasker masker, int padId, int seqLength) {
        this.masker = masker;
        this.padId = padId;
        this.seqLength = seqLength;
    }

    /** Every row masked for the same epoch. */
    public Batch assemble(List<Instance> rows, int epoch) {
        int[] epochs = new int[rows.size()];
        Arrays.fill(epochs, epoch);
        return assemble(rows, epochs);
    }

    /** Row r masked for epochs[r] (rows of different data shards are in different shard epochs). */
    public Batch assemble(List<Instance> rows, int[] epochs) {
        int b = rows.size();
        if (epochs.length != b) throw new IllegalArgumentException(b + " rows but " + epochs.length + " epochs");
        int t = seqLength;
        int[] ids = new int[b * t];
        int[] types = new int[b * t];
        int[] attention = new int[b * t];
        int[] labels = new int[b];
        int[][] positions = new int[b][];
        int[][] targets = new int[b][];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            Instance instance = rows.get(r);
            if (instance.length() > t) {
                throw new IllegalArgumentException("instance " + instance.id() + " has " + instance.length()
                        + " tokens, more than the sequence length " + t);
            }
            MaskedInstance masked = masker.mask(instance.inputIds(), instance.id(), epochs[r]);
            System.arraycopy(masked.inputIds(), 0, ids, r * t, instance.length());
            System.arraycopy(instance.tokenTypeIds(), 0, types, r * t, instance.length());
            Arrays.fill(attention, r * t, r * t + instance.length(), 1);
            labels[r] = Math.max(instance.label(), 0);
            positions[r] = masked.maskedPositions();
            targets[r] = masked.maskedLabels();
        }
        int p = Arrays.stream(positions).mapToInt(a -> a.length).sum();
        int[] flatPositions = new int[p];
        int[] flatLabels = new int[p];
        int k = 0;
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < positions[r].length; j++) {
                flatPositions[k] = r * t + positions[r][j];
                flatLabels[k++] = targets[r][j];
            }
        }
        return new Batch(b, t, ids, types, attention, flatPositions, flatLabels, labels);
    }
}
