package org.sparkbert.engine.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration of a training run as a checkpoint records it, in two parts: the settings that
 * decide the weights ({@code result}: model, optimiser, schedule, batch, seeds, masking, replica
 * count, ...), which a resumed run must share exactly, and the ones that do not
 * ({@code informational}: paths, backend, threads, logging, checkpoint cadence), which may differ.
 * Values are kept as the strings the run printed them as, so that equality is exact.
 */
public record TrainingConfig(SortedMap<String, String> result, SortedMap<String, String> informational) {

    public TrainingConfig {
        result = new TreeMap<>(result);
        informational = new TreeMap<>(informational);
        for (String key : result.keySet()) {
            if (informational.containsKey(key)) {
                throw new IllegalArgumentException("'" + key + "' is both result-affecting and informational");
            }
        }
    }

    /** Builds one from values of any type (their toString); nulls are not allowed. */
    public static TrainingConfig of(Map<String, ?> result, Map<String, ?> informational) {
        return new TrainingConfig(strings(result), strings(informational));
    }

    /**
     * The first result-affecting setting in which {@code saved} (read from checkpoint {@code where})
     * differs from this run, as a message naming the setting and both values; null when none does.
     */
    public String resultMismatch(TrainingConfig saved, String where) {
        for (String key : new TreeSet<>(union(result, saved.result))) {
            String ours = result.get(key);
            String theirs = saved.result.get(key);
            if (!Objects.equals(ours, theirs)) {
                return where + " was trained with " + key + " = " + shown(theirs) + ", this run has " + key + " = "
                        + shown(ours) + "; resuming would not continue the same training. Use the same settings, or"
                        + " --resume never to start afresh.";
            }
        }
        return null;
    }

    /** This configuration with one result-affecting setting replaced (to compare a run that may change it). */
    public TrainingConfig withResult(String key, Object value) {
        SortedMap<String, String> changed = new TreeMap<>(result);
        changed.put(key, String.valueOf(Objects.requireNonNull(value, key)));
        return new TrainingConfig(changed, informational);
    }

    /** The informational settings that differ, as "key: saved -> ours" lines (for a warning). */
    public List<String> informationalDifferences(TrainingConfig saved) {
        List<String> out = new ArrayList<>();
        for (String key : new TreeSet<>(union(informational, saved.informational))) {
            String ours = informational.get(key);
            String theirs = saved.informational.get(key);
            if (!Objects.equals(ours, theirs)) {
                out.add(key + ": " + shown(theirs) + " -> " + shown(ours));
            }
        }
        return out;
    }

    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static String shown(String value) {
        return value == null ? "(not set)" : value;
    }

    private static SortedMap<String, String> strings(Map<String, ?> values) {
        SortedMap<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, String.valueOf(Objects.requireNonNull(v, k))));
        return out;
    }
}
