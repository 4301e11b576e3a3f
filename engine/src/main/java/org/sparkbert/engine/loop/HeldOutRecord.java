package org.sparkbert.engine.loop;

/**
 * The model's figures on the held-out set after {@code step} steps, beside the count baselines on
 * the same positions: the masked-LM loss (nats, mean over the masked positions) and accuracy.
 */
public record HeldOutRecord(
        long step, double mlmLoss, double mlmAccuracy, long positions, double unigramNats, double twoNeighbourNats) {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** One metrics.jsonl line, kind "eval", beside the training records. */
    public String toJsonLine() {
        var o = JSON.createObjectNode();
        o.put("kind", "eval");
        o.put("step", step);
        o.put("mlm_loss", mlmLoss);
        o.put("mlm_accuracy", mlmAccuracy);
        o.put("masked_positions", positions);
        o.put("unigram_nats", unigramNats);
        o.put("two_neighbour_nats", twoNeighbourNats);
        return o.toString();
    }

    public String toLogLine() {
        return String.format(
                java.util.Locale.ROOT,
                "held-out step %d | mlm %.4f acc %.3f | unigram %.4f | two-neighbour %.4f" + " (%s)",
                step,
                mlmLoss,
                mlmAccuracy,
                unigramNats,
                twoNeighbourNats,
                beatsTwoNeighbours() ? "below the count model: context learned" : "not yet below the count model");
    }

    /** Whether the model has learned more than its two neighbours tell (below the count model). */
    public boolean beatsTwoNeighbours() {
        return mlmLoss < twoNeighbourNats;
    }
}
