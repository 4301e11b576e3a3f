package org.sparkbert.engine.loop;

import java.io.Serializable;
import java.util.List;

/**
 * The validation instances a run is scored on, masks frozen (so every evaluation scores the same
 * positions), with the two count baselines on those positions: the unigram entropy of the masked
 * tokens and a two-neighbour count model, in nats, from the training split.
 *
 * @param rows corrupted ids, segment ids, masked positions (within the row) and their true ids
 */
public record HeldOutSet(List<Row> rows, double unigramNats, double twoNeighbourNats) implements Serializable {

    public record Row(int[] inputIds, int[] tokenTypeIds, int[] positions, int[] labels) implements Serializable {}

    public int longest() {
        return rows.stream().mapToInt(r -> r.inputIds().length).max().orElse(1);
    }

    public int maskedPositions() {
        return rows.stream().mapToInt(r -> r.positions().length).sum();
    }
}
