package org.sparkbert.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a stage writes as {@code _REPORT.json}: the stage, the fingerprint of its arguments and
 * settings (how a rerun recognises its own complete output), its counters, its timings per phase and
 * anything else the stage adds. It is written last, after the output is renamed into place, with the
 * listing of the output's files ({@code "files"}: name to size), so its presence with {@code "complete":
 * true} and every listed file there marks a complete output ({@link StageOutput}).
 */
public final class StageReport {
    public static final String FILE_NAME = "_REPORT.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private final long startedNanos = System.nanoTime();
    private long phaseStartNanos = startedNanos;

    public StageReport(String stage, String fingerprint, Map<String, Object> arguments, Map<String, String> settings) {
        root.put("stage", stage);
        root.put("complete", true);
        root.put("fingerprint", fingerprint);
        root.put("started", Instant.now().toString());
        root.put("arguments", arguments);
        root.put("settings", settings);
        root.put("counters", counters);
        root.put("timings_seconds", timings);
    }

    public void count(String name, long value) {
        counters.put(name, value);
    }

    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    /** Ends the current phase: its wall time since the previous phase ended is recorded under {@code name}. */
    public void endPhase(String name) {
        long now = System.nanoTime();
        timings.put(name, (now - phaseStartNanos) / 1e9);
        phaseStartNanos = now;
    }

    public void put(String key, Object value) {
        root.put(key, value);
    }

    public Object get(String key) {
        return root.get(key);
    }

    public String toJson() {
        root.put("finished", Instant.now().toString());
        timings.put("total", (System.nanoTime() - startedNanos) / 1e9);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialise the report", e);
        }
    }

    public static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }
}
