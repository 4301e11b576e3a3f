package org.sparkbert.evaluate.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every row of the real GLUE files in ../shared/data/glue, read with our reader and compared with an
 * independent reading by Python's csv module as Hugging Face does it (scripts/fixtures/glue_files.py):
 * row counts, label histograms, first and last rows, and a SHA-256 over every row.
 */
class GlueRealFilesTest {
    private static final Path GLUE = Path.of(System.getProperty("sparkbert.shared.data"), "glue");

    /** Row counts as stated in ../shared/data/README.md (header lines excluded). */
    private static final Map<String, Integer> README_ROWS = Map.of(
            "SST-2/train",
            67_349,
            "SST-2/dev",
            872,
            "CoLA/train",
            8_551,
            "CoLA/dev",
            1_043,
            "MRPC/train",
            3_668,
            "MRPC/dev",
            408,
            "RTE/train",
            2_490,
            "RTE/dev",
            277,
            "STS-B/train",
            5_749,
            "STS-B/dev",
            1_500);

    @Test
    void everyRealFileReadsLikePythonsCsvModule() throws Exception {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/glue_files.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        int filesChecked = 0;
        for (JsonNode file : fixture.get("files")) {
            GlueTask task = GlueTask.fromName(file.get("task").asText());
            GlueSplit split = task.split(file.get("split").asText());
            List<GlueExample> examples = GlueTsvReader.read(split, GLUE);
            String key = task.displayName() + "/" + split.name();

            assertEquals(README_ROWS.get(key), examples.size(), key + " rows (README.md)");
            assertEquals(file.get("rows").asInt(), examples.size(), key + " rows (Python)");
            assertEquals(file.get("first").asText(), rowString(task, examples.get(0)), key + " first row");
            assertEquals(
                    file.get("last").asText(), rowString(task, examples.get(examples.size() - 1)), key + " last row");
            assertEquals(file.get("sha256").asText(), sha256(task, examples), key + " all rows");
            if (!task.isRegression()) {
                Map<String, Integer> expected = new TreeMap<>();
                file.get("labels")
                        .properties()
                        .forEach(e -> expected.put(e.getKey(), e.getValue().asInt()));
                assertEquals(expected, labelHistogram(task, examples), key + " labels");
            }
            filesChecked++;
        }
        assertEquals(README_ROWS.size(), filesChecked);
    }

    @Test
    void mrpcHeaderWithByteOrderMarkIsAccepted() throws IOException {
        byte[] head = Files.readAllBytes(GLUE.resolve("MRPC/dev.tsv"));
        assertEquals((byte) 0xEF, head[0], "the shared MRPC file keeps GLUE's UTF-8 BOM");
        GlueExample first =
                GlueTsvReader.read(GlueTask.MRPC.devSplits().get(0), GLUE).get(0);
        assertEquals(1, first.label());
        assertEquals(2, first.line());
        assertTrue(
                first.textB().startsWith("\" The foodservice pie business"), "quote kept literally: " + first.textB());
    }

    @Test
    void colaHasNoHeaderAndItsLastLineNoNewline() throws IOException {
        List<GlueExample> dev = GlueTsvReader.read(GlueTask.COLA.devSplits().get(0), GLUE);
        GlueExample first = dev.get(0);
        assertEquals(1, first.line());
        assertEquals("0", first.id());
        assertEquals("The sailors rode the breeze clear of the rocks.", first.textA());
        assertNull(first.textB());
        assertEquals(1043, dev.get(dev.size() - 1).line());
    }

    @Test
    void stsbScoresAreFloats() throws IOException {
        List<GlueExample> dev = GlueTsvReader.read(GlueTask.STSB.devSplits().get(0), GLUE);
        assertEquals(5.0, dev.get(0).score());
        assertEquals(4.75, dev.get(1).score());
        assertEquals("1", dev.get(1).id());
        assertEquals(-1, dev.get(1).label());
        double min = dev.stream().mapToDouble(GlueExample::score).min().orElseThrow();
        double max = dev.stream().mapToDouble(GlueExample::score).max().orElseThrow();
        assertEquals(0.0, min);
        assertEquals(5.0, max);
    }

    private static Map<String, Integer> labelHistogram(GlueTask task, List<GlueExample> examples) {
        Map<String, Integer> histogram = new TreeMap<>();
        for (GlueExample e : examples) {
            histogram.merge(task.labels().get(e.label()), 1, Integer::sum);
        }
        return histogram;
    }

    private static String rowString(GlueTask task, GlueExample e) {
        String value = task.isRegression()
                ? String.format(Locale.ROOT, "%.3f", e.score())
                : task.labels().get(e.label());
        return String.join("\t", e.id(), e.textA(), e.textB() == null ? "" : e.textB(), value);
    }

    private static String sha256(GlueTask task, List<GlueExample> examples) throws Exception {
        StringBuilder all = new StringBuilder();
        for (GlueExample e : examples) {
            if (all.length() > 0) {
                all.append('\n');
            }
            all.append(rowString(task, e));
        }
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(digest.digest(all.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
