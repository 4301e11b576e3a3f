package org.sparkbert.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The input files of an ingest output ({@code _MANIFEST.json}): path, size, SHA-256 and whether this
 * run ingested the file or skipped it because an earlier output had. A later run with
 * {@code --previous} skips every file whose size and checksum one of these lists, whatever its path:
 * a shard moved or copied elsewhere is still the same shard.
 */
public final class Manifest {
    public static final String FILE_NAME = "_MANIFEST.json";
    public static final String INGESTED = "ingested";
    public static final String SKIPPED = "skipped";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One file of a manifest. */
    public static final class Entry {
        public final String path;
        public final long size;
        public final String sha256;
        public final String status;

        public Entry(String path, long size, String sha256, String status) {
            this.path = path;
            this.size = size;
            this.sha256 = sha256;
            this.status = status;
        }

        /** What identifies the file's content. */
        public String identity() {
            return size + ":" + sha256;
        }
    }

    private Manifest() {}

    public static String toJson(List<Entry> entries) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", e.path);
            m.put("size", e.size);
            m.put("sha256", e.sha256);
            m.put("status", e.status);
            rows.add(m);
        }
        try {
            return JSON.writeValueAsString(Map.of("files", rows));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Entry> read(FileSystem fs, Path outputDir) throws IOException {
        Path file = new Path(outputDir, FILE_NAME);
        List<Entry> entries = new ArrayList<>();
        if (!fs.exists(file)) {
            return entries;
        }
        try (FSDataInputStream in = fs.open(file)) {
            JsonNode root = JSON.readTree(in);
            for (JsonNode f : root.path("files")) {
                entries.add(new Entry(
                        f.path("path").asText(),
                        f.path("size").asLong(),
                        f.path("sha256").asText(),
                        f.path("status").asText()));
            }
        }
        return entries;
    }
}
