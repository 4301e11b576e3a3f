package org.sparkbert.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    /** The byte vectors of the reference implementation's own tests (huggingface/safetensors, tensor.rs). */
    @Test
    void writesTheReferenceImplementationsBytes() {
        float[] values = {0f, 1f, 2f, 3f, 4f, 5f};
        byte[] serialization = Safetensors.toBytes(Map.of("attn.0", StoredTensor.f32(values, 1, 2, 3)), null);
        assertArrayEquals(
                bytes(
                        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121,
                        112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50,
                        44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44,
                        50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
                        160, 64),
                serialization);

        byte[] forcedAlignment = Safetensors.toBytes(Map.of("attn0", StoredTensor.f32(values, 1, 1, 2, 3)), null);
        assertArrayEquals(
                bytes(
                        72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112,
                        101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50,
                        44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44,
                        50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0,
                        64, 64, 0, 0, 128, 64, 0, 0, 160, 64),
                forcedAlignment);

        assertArrayEquals(
                bytes(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32), Safetensors.toBytes(Map.of(), null));
        assertArrayEquals(
                bytes(
                        40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58,
                        123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32,
                        32, 32, 32),
                Safetensors.toBytes(Map.of(), Map.of("framework", "pt")));
    }

    @Test
    void ordersTensorsByDescendingDtypeThenNameAndPacksTheData() throws IOException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        tensors.put("z.ids", StoredTensor.i32(new int[] {7, -8, Integer.MAX_VALUE}, 3));
        tensors.put("b.weight", StoredTensor.f32(new float[] {1.5f, -2f}, 2, 1));
        tensors.put("a.bias", StoredTensor.f32(new float[] {Float.MIN_VALUE}, 1));
        byte[] file = Safetensors.toBytes(tensors, Map.of("format", "pt"));

        long n = java.nio.ByteBuffer.wrap(file, 0, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals(0, (8 + n) % 8, "header padded so the data starts 8-aligned");
        assertEquals(
                "{\"__metadata__\":{\"format\":\"pt\"},"
                        + "\"a.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[4,12]},"
                        + "\"z.ids\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[12,24]}}",
                header.stripTrailing());
        assertEquals(8 + n + 24, file.length);

        Safetensors.Contents back = Safetensors.read(file, "memory");
        assertEquals(
                List.of("a.bias", "b.weight", "z.ids"),
                new ArrayList<>(back.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), back.metadata());
        for (String name : tensors.keySet()) {
            assertEquals(tensors.get(name), back.tensor(name), name);
        }
    }

    @Test
    void roundTripsTensorsLargerThanOneChunk() throws IOException {
        float[] big = new float[70_007];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) Math.sin(i) * 1e3f;
        }
        Map<String, StoredTensor> tensors = Map.of("big", StoredTensor.f32(big, 7, 10_001));
        Safetensors.Contents back = Safetensors.read(Safetensors.toBytes(tensors, null), "memory");
        assertArrayEquals(big, back.tensor("big").floats());
        assertArrayEquals(new long[] {7, 10_001}, back.tensor("big").shape());
    }

    @Test
    void readsTheGoldenScriptsFiles() throws IOException {
        Path dir = goldenDir().resolve("post_ln");
        Safetensors.Contents batch = read(dir.resolve("batch.safetensors"));
        assertArrayEquals(new long[] {3, 12}, batch.tensor("input_ids").shape());
        int[] mask = batch.tensor("attention_mask").ints();
        assertEquals(12 + 9 + 6, java.util.Arrays.stream(mask).sum(), "rows of 12, 9 and 6 real tokens");
        Safetensors.Contents weights = read(dir.resolve("weights.safetensors"));
        assertEquals("pt", weights.metadata().get("format"));
        assertArrayEquals(
                new long[] {97, 24},
                weights.tensor("bert.embeddings.word_embeddings.weight").shape());
        // Our writer gives byte-identical files for what the script wrote (same ordering, same JSON, same padding).
        for (String name : List.of("batch.safetensors", "weights.safetensors", "expected.safetensors")) {
            byte[] original = Files.readAllBytes(dir.resolve(name));
            Safetensors.Contents contents = Safetensors.read(original, name);
            assertArrayEquals(original, Safetensors.toBytes(contents.tensors(), contents.metadata()), name);
        }
    }

    @Test
    void theGoldenScriptReadsOurFiles(@TempDir Path tmp) throws Exception {
        Map<String, StoredTensor> tensors = new TreeMap<>();
        tensors.put("w", StoredTensor.f32(new float[] {0.25f, -1.5f, 3e-8f, 6.5e7f, 1f, 2f}, 2, 3));
        tensors.put("ids", StoredTensor.i32(new int[] {1, -2, 300000}, 3));
        Path file = tmp.resolve("ours.safetensors");
        Files.write(file, Safetensors.toBytes(tensors, Map.of("format", "pt")));
        String script = "import sys; sys.path.insert(0, sys.argv[1]); import bert_golden as g\n"
                + "t = g.read_safetensors(sys.argv[2])\n"
                + "print(sorted(t), t['w'].tolist(), t['ids'].tolist(), t['w'].dtype, t['ids'].dtype)\n";
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        "-c",
                        script,
                        projectRoot().resolve("scripts/golden").toString(),
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        assertEquals(
                "['ids', 'w'] [[0.25, -1.5, 2.999999892949745e-08], [65000000.0, 1.0, 2.0]] "
                        + "[1, -2, 300000] torch.float32 torch.int32",
                out);
    }

    @Test
    void refusesBrokenFilesWithTheirName() {
        byte[] good = Safetensors.toBytes(Map.of("x", StoredTensor.f32(new float[] {1, 2, 3}, 3)), null);
        IOException truncated = assertThrows(
                IOException.class,
                () -> Safetensors.read(java.util.Arrays.copyOf(good, good.length - 2), "cut.safetensors"));
        assertTrue(
                truncated
                        .getMessage()
                        .startsWith("cut.safetensors: tensor 'x' spans bytes [0, 12) but the file has 10"),
                truncated.getMessage());
        // A stream that ends before the length it was said to have.
        IOException cutStream = assertThrows(
                IOException.class,
                () -> Safetensors.read(
                        new java.io.ByteArrayInputStream(java.util.Arrays.copyOf(good, good.length - 2)),
                        good.length,
                        "cut"));
        assertTrue(cutStream.getMessage().startsWith("cut: truncated inside x"), cutStream.getMessage());

        byte[] extra = java.util.Arrays.copyOf(good, good.length + 4);
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(extra, "long.safetensors"))
                .getMessage()
                .contains("the tensors cover 12 bytes but the file has 16 bytes of data"));
        assertTrue(assertThrows(
                        IOException.class,
                        () -> Safetensors.read(new java.io.ByteArrayInputStream(extra), good.length, "long"))
                .getMessage()
                .contains("bytes after the last tensor"));

        byte[] gap = header("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(gap, "gap.safetensors"))
                .getMessage()
                .contains("starts at byte 4, expected 0"));

        byte[] wrongSize = header("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(wrongSize, "size.safetensors"))
                .getMessage()
                .contains("need 12"));

        byte[] half = header("{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(half, "half.safetensors"))
                .getMessage()
                .contains("dtype 'F16'"));

        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(bytes(1, 2, 3), "tiny"))
                .getMessage()
                .contains("shorter than the 8-byte"));
        byte[] huge = bytes(0, 0, 0, 0, 0, 0, 0, 127);
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(huge, "huge"))
                .getMessage()
                .contains("not a safetensors file"));
    }

    @Test
    void refusesCraftedHeadersBeforeAllocatingWhatTheyDeclare() {
        // 8 GB declared over 100 bytes, in four tensors that each fit a Java array (2 GB apiece).
        StringBuilder json = new StringBuilder("{");
        long gb2 = 1L << 31;
        for (int i = 0; i < 4; i++) {
            json.append(i == 0 ? "" : ",")
                    .append("\"t")
                    .append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(gb2 / 4)
                    .append("],\"data_offsets\":[")
                    .append(i * gb2)
                    .append(',')
                    .append((i + 1) * gb2)
                    .append("]}");
        }
        byte[] json8gb = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
        byte[] crafted = java.util.Arrays.copyOf(
                header(new String(json8gb, StandardCharsets.UTF_8), 0), Math.max(100, 8 + json8gb.length));
        long allocatedBefore = allocatedByThisThread();
        IOException eightGb = assertThrows(IOException.class, () -> Safetensors.read(crafted, "forged.safetensors"));
        long allocated = allocatedByThisThread() - allocatedBefore;
        assertTrue(
                eightGb.getMessage()
                        .startsWith(
                                "forged.safetensors: tensor 't0' spans bytes [0, 2147483648) but the " + "file has"),
                eightGb.getMessage());
        assertTrue(allocated < 16 << 20, "the refusal allocated " + allocated + " bytes");

        // The header length itself: more than the file holds.
        byte[] longHeader = bytes(0, 0, 0, 0, 0, 0, 0, 1, '{', '}');
        assertTrue(assertThrows(IOException.class, () -> Safetensors.read(longHeader, "h"))
                .getMessage()
                .contains("header length 72057594037927936 in a file of 10 bytes; at most 2 fit"));

        // Overlapping and out-of-order offsets, reversed ranges, overflowing and non-integer shapes.
        String y = "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}";
        assertRefused(
                "{" + y + ",\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                12,
                "tensor 'y' starts at byte 4, expected 8");
        assertRefused(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}",
                8,
                "tensor 'x' spans bytes [8, 4) but the file has 8");
        assertRefused(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
                8,
                "has a shape whose size overflows: [4294967296, 4294967296]");
        assertRefused(
                "{\"x\":{\"dtype\":\"I32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}",
                8,
                "has a shape whose size overflows");
        assertRefused(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                8,
                "shape entry -2; expected a non-negative integer");
        assertRefused(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}",
                8,
                "shape entry 1.5; expected a non-negative integer");
        assertRefused(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}",
                8,
                "data_offsets entry 99999999999999999999; expected a non-negative integer");
    }

    private static void assertRefused(String json, int dataBytes, String expected) {
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(header(json, dataBytes), "crafted"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    private static byte[] header(String json, int dataBytes) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.allocate(8 + text.length + dataBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(text.length).put(text);
        return b.array();
    }

    private static Safetensors.Contents read(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return Safetensors.read(in, Files.size(file), file.toString());
        }
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("sparkbert.project.root"));
    }

    static Path goldenDir() {
        return projectRoot().resolve("engine/src/test/resources/golden");
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
