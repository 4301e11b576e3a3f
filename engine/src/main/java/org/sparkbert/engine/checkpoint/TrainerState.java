package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * trainer_state.json: where training stands after {@code step} optimiser steps. Nothing else is
 * needed to continue exactly, because no random generator carries state across steps: the initial
 * weights come from the seed, the data order of each epoch from (seed, epoch), masking from
 * (masking seed, epoch, instance id) and dropout from (seed, step, micro-batch), all counter-based.
 * The data position ({@code dataEpoch}, {@code dataPosition}: instances of that epoch consumed) is
 * recorded all the same, and checked on resume, so that a change of the data order is caught.
 *
 * @param epoch fractional epochs of data consumed (for people and reports)
 */
public record TrainerState(
        long step, double epoch, long dataEpoch, long dataPosition, long seed, TrainingConfig config) {

    public static final String FILE = "trainer_state.json";

    /** How every random number of a run is derived, written into the file for whoever reads it. */
    public static final String RNG = "counter-based, no state carried across steps: initial weights from seed;"
            + " each shard's order from (seed, shard, epoch of that shard); masking from (masking.seed, epoch,"
            + " instance id); dropout from (seed, step, site, index of the sequence in the global batch)";

    private static final ObjectMapper JSON = new ObjectMapper();

    public byte[] toJson() throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", step);
        o.put("epoch", epoch);
        ObjectNode data = o.putObject("data_position");
        data.put("epoch", dataEpoch);
        data.put("position", dataPosition);
        o.put("seed", seed);
        o.put("rng", RNG);
        ObjectNode c = o.putObject("config");
        config.result().forEach(c::put);
        ObjectNode i = o.putObject("informational");
        config.informational().forEach(i::put);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    }

    public FileBody file() throws IOException {
        byte[] bytes = toJson();
        return out -> out.write(bytes);
    }

    public static TrainerState read(FileSystem fs, Path dir) throws IOException {
        Path file = new Path(dir, FILE);
        if (!fs.exists(file)) {
            throw new IOException(dir + ": no " + FILE + " (a weights-only checkpoint cannot resume training)");
        }
        JsonNode o;
        try (InputStream in = fs.open(file)) {
            o = JSON.readTree(in);
        }
        for (String key : new String[] {"step", "epoch", "data_position", "seed", "config", "informational"}) {
            if (o == null || !o.has(key)) {
                throw new IOException(file + ": no '" + key + "'");
            }
        }
        return new TrainerState(
                o.get("step").asLong(),
                o.get("epoch").asDouble(),
                o.get("data_position").path("epoch").asLong(),
                o.get("data_position").path("position").asLong(),
                o.get("seed").asLong(),
                new TrainingConfig(strings(o.get("config")), strings(o.get("informational"))));
    }

    private static SortedMap<String, String> strings(JsonNode node) {
        SortedMap<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
