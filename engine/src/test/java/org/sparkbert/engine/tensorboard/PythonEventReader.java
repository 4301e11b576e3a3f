package org.sparkbert.engine.tensorboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' independent reader of event files: scripts/fixtures/read_tfevents.py, which checks the
 * TFRecord framing with its own CRC32C and decodes the events with Debian's python3-protobuf
 * against a schema it builds from TensorFlow's field numbers. One JSON object per event.
 */
public final class PythonEventReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PythonEventReader() {}

    public static List<JsonNode> read(Path dir) throws IOException {
        Path root = Path.of(System.getProperty("sparkbert.project.root"));
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        root.resolve("scripts/fixtures/read_tfevents.py").toString(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + dir, e);
        }
        if (code != 0) {
            throw new IOException("read_tfevents.py failed on " + dir + " (needs Debian's python3-protobuf):\n" + out);
        }
        List<JsonNode> events = new ArrayList<>();
        for (String line : out.strip().split("\n")) events.add(JSON.readTree(line));
        return events;
    }
}
