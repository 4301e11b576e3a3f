package org.sparkbert.engine.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Locale;

/**
 * What the trainer reports for one logging interval: the means over its steps of the losses and
 * accuracies, the learning rate at its last step, throughput, time, and the entropy of the masked
 * tokens seen so far. One JSON object per line of metrics.jsonl, and one log line.
 *
 * @param sentenceLoss NaN for the mlm objective (then no nsp_* keys are written)
 * @param maskedTokenEntropy NaN where it was not measured (then the key is left out)
 * @param detection ELECTRA's discriminator, the interval's step means (then mlm_* are the generator's and
 *                  disc_loss, disc_accuracy, disc_precision, disc_recall and replaced_fraction are written);
 *                  {@link DetectionMetrics#NONE} otherwise (no such keys)
 */
public record ProgressRecord(
        long step,
        long totalSteps,
        double loss,
        double mlmLoss,
        double mlmAccuracy,
        double sentenceLoss,
        double sentenceAccuracy,
        double learningRate,
        double tokensPerSecond,
        double elapsedSeconds,
        double maskedTokenEntropy,
        DetectionMetrics detection) {

    /** An interval without a discriminator. */
    public ProgressRecord(
            long step,
            long totalSteps,
            double loss,
            double mlmLoss,
            double mlmAccuracy,
            double sentenceLoss,
            double sentenceAccuracy,
            double learningRate,
            double tokensPerSecond,
            double elapsedSeconds,
            double maskedTokenEntropy) {
        this(
                step,
                totalSteps,
                loss,
                mlmLoss,
                mlmAccuracy,
                sentenceLoss,
                sentenceAccuracy,
                learningRate,
                tokensPerSecond,
                elapsedSeconds,
                maskedTokenEntropy,
                DetectionMetrics.NONE);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean hasSentenceTask() {
        return !Double.isNaN(sentenceLoss);
    }

    /** The step of a metrics.jsonl line (a truncated last line, left by a crash, counts as no step). */
    static long stepOf(String jsonLine) {
        JsonNode record = parse(jsonLine);
        return record == null ? Long.MAX_VALUE : record.get("step").asLong();
    }

    /** A complete metrics.jsonl record with its step; null for a blank, truncated or stepless line. */
    static JsonNode parse(String jsonLine) {
        if (jsonLine.isBlank()) return null;
        try {
            JsonNode record = JSON.readTree(jsonLine);
            return record != null && record.path("step").canConvertToLong() ? record : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public String toJsonLine() {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", step);
        o.put("loss", loss);
        o.put("mlm_loss", mlmLoss);
        o.put("mlm_accuracy", mlmAccuracy);
        if (hasSentenceTask()) {
            o.put("nsp_loss", sentenceLoss);
            o.put("nsp_accuracy", sentenceAccuracy);
        }
        if (detection.present()) {
            o.put("disc_loss", detection.loss());
            o.put("disc_accuracy", detection.accuracy());
            o.put("disc_precision", detection.precision());
            o.put("disc_recall", detection.recall());
            o.put("replaced_fraction", detection.replacedFraction());
        }
        o.put("lr", learningRate);
        o.put("tokens_per_second", tokensPerSecond);
        o.put("elapsed_seconds", elapsedSeconds);
        if (!Double.isNaN(maskedTokenEntropy)) {
            o.put("masked_unigram_entropy", maskedTokenEntropy);
        }
        return o.toString();
    }

    /** The log line, e.g. {@code step 200/1000 | loss 7.812 | mlm 7.120 acc 0.061 | nsp 0.692 acc 0.512 | ...}. */
    public String toLogLine(String sentenceTask) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "step %d/%d | loss %.4f | mlm %.4f acc %.3f",
                step,
                totalSteps,
                loss,
                mlmLoss,
                mlmAccuracy));
        if (!Double.isNaN(maskedTokenEntropy)) {
            s.append(String.format(Locale.ROOT, " (unigram entropy %.3f)", maskedTokenEntropy));
        }
        if (hasSentenceTask()) {
            s.append(String.format(Locale.ROOT, " | %s %.4f acc %.3f", sentenceTask, sentenceLoss, sentenceAccuracy));
        }
        if (detection.present()) {
            s.append(String.format(
                    Locale.ROOT,
                    " | disc %.4f acc %.3f P %.3f R %.3f replaced %.3f",
                    detection.loss(),
                    detection.accuracy(),
                    detection.precision(),
                    detection.recall(),
                    detection.replacedFraction()));
        }
        s.append(String.format(Locale.ROOT, " | lr %.3e | %.0f tok/s | ETA %s", learningRate, tokensPerSecond, eta()));
        return s.toString();
    }

    private String eta() {
        if (step == 0) {
            return "?";
        }
        long seconds = Math.round(elapsedSeconds / step * (totalSteps - step));
        Duration d = Duration.ofSeconds(seconds);
        return d.toHours() > 0
                ? String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }
}
