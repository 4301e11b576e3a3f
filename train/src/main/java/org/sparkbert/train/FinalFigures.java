package org.sparkbert.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.sparkbert.job.StageReport;

/** The train stage's final figures in its report: the last metrics.jsonl record's, under the report's names. */
final class FinalFigures {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("loss", "final_loss"),
            Map.entry("mlm_loss", "final_mlm_loss"),
            Map.entry("mlm_accuracy", "final_mlm_accuracy"),
            Map.entry("nsp_loss", "final_nsp_loss"),
            Map.entry("nsp_accuracy", "final_nsp_accuracy"),
            Map.entry("masked_unigram_entropy", "masked_unigram_entropy"),
            Map.entry("tokens_per_second", "tokens_per_second"),
            // ELECTRA's discriminator (its generator's are the mlm_* ones)
            Map.entry("disc_loss", "final_disc_loss"),
            Map.entry("disc_accuracy", "final_disc_accuracy"),
            Map.entry("disc_precision", "final_disc_precision"),
            Map.entry("disc_recall", "final_disc_recall"),
            Map.entry("replaced_fraction", "final_replaced_fraction"));

    private FinalFigures() {}

    /** heldOut: the last held-out record, or null for a run without one. */
    static void put(StageReport report, JsonNode last, JsonNode heldOut) {
        NAMES.forEach((from, to) -> {
            if (last.has(from)) report.put(to, last.get(from).asDouble());
        });
        if (heldOut == null) return;
        for (String key : new String[] {"mlm_loss", "mlm_accuracy", "unigram_nats", "two_neighbour_nats"}) {
            report.put("held_out_" + key, heldOut.get(key).asDouble());
        }
    }
}
