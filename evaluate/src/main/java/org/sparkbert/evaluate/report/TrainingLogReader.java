package org.sparkbert.evaluate.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.TreeMap;

/** Reads {@code metrics.jsonl}: one JSON object per line with at least an integer "step". */
public final class TrainingLogReader {
    public static final String FILE_NAME = "metrics.jsonl";
    /** A diverged run logs NaN or Infinity losses; they are read, not refused. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private TrainingLogReader() {}

    /** Parses the whole file's text; {@code source} names it in error messages ("file:line: ..."). */
    public static TrainingLog parse(String text, String source) {
        TreeMap<Long, TrainingPoint> byStep = new TreeMap<>();
        TreeMap<Long, TrainingPoint> evaluations = new TreeMap<>();
        int replaced = 0;
        boolean truncated = false;
        String[] lines = text.split("\n", -1);
        boolean endsWithNewline = text.endsWith("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            boolean lastUnterminated = i == lines.length - 1 && !endsWithNewline;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                if (lastUnterminated) {
                    truncated = true;
                    continue;
                }
                throw new ReportInputException(
                        source + ":" + (i + 1) + ": not a JSON object: " + e.getOriginalMessage());
            }
            TrainingPoint point = point(node, source + ":" + (i + 1));
            if ("eval".equals(node.path("kind").asText())) {
                evaluations.put(point.step(), point);
                continue;
            }
            if (byStep.put(point.step(), point) != null) {
                replaced++;
            }
        }
        return new TrainingLog(
                new ArrayList<>(byStep.values()), replaced, truncated, new ArrayList<>(evaluations.values()));
    }

    private static TrainingPoint point(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new ReportInputException(where + ": expected one JSON object per line");
        }
        JsonNode step = node.get("step");
        if (step == null || !step.canConvertToLong() || !step.isIntegralNumber()) {
            throw new ReportInputException(where + ": every line needs an integer \"step\"");
        }
        return new TrainingPoint(
                step.asLong(),
                number(node, "loss", where),
                number(node, "mlm_loss", where),
                number(node, "mlm_accuracy", where),
                number(node, "nsp_loss", where),
                number(node, "nsp_accuracy", where),
                number(node, "lr", where),
                number(node, "tokens_per_second", where),
                number(node, "elapsed_seconds", where));
    }

    private static double number(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Double.NaN;
        }
        if (!value.isNumber()) {
            throw new ReportInputException(where + ": \"" + field + "\" must be a number, found " + value);
        }
        return value.asDouble();
    }
}
