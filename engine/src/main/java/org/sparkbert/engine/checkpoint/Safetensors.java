package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON mapping each tensor name to its dtype, shape and
 * [begin, end) byte offsets in the data section (plus an optional "__metadata__" map of strings),
 * then the little-endian row-major data. Written as the reference implementation writes it, so the
 * bytes are the same: tensors ordered by descending dtype then by name, data packed without gaps,
 * compact JSON with "__metadata__" first, the header padded with spaces to a multiple of 8 so that
 * every tensor stays aligned.
 */
public final class Safetensors {

    /** The dtypes we read and write, in the reference implementation's enum order (it sorts by it). */
    public enum Dtype {
        I32(4),
        F32(4);

        private final int size;

        Dtype(int size) {
            this.size = size;
        }

        public int size() {
            return size;
        }
    }

    /** What a file holds: its free-form metadata and its tensors in file order. */
    public record Contents(Map<String, String> metadata, Map<String, StoredTensor> tensors) {

        public StoredTensor tensor(String name) {
            StoredTensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor named '" + name + "' (has " + tensors.keySet() + ")");
            }
            return t;
        }
    }

    /** The reference implementation refuses larger headers; so do we, before allocating. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final int CHUNK = 1 << 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    public static void write(OutputStream out, Map<String, StoredTensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<Map.Entry<String, StoredTensor>> ordered = fileOrder(tensors);
        byte[] header = header(ordered, metadata);
        ByteBuffer length =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(length.array());
        out.write(header);
        for (Map.Entry<String, StoredTensor> e : ordered) {
            writeData(out, e.getValue());
        }
    }

    public static byte[] toBytes(Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, tensors, metadata);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a whole file of {@code length} bytes. {@code source} names it in error messages. Every
     * size and offset the header declares is checked against {@code length} before anything is
     * allocated, so a crafted header cannot make the reader allocate more than the file holds; the
     * stream is read to its end and checked to end exactly where the last tensor does.
     */
    public static Contents read(InputStream in, long length, String source) throws IOException {
        DataInputStream data = new DataInputStream(in);
        long n = Long.reverseBytes(readLong(data, source));
        long headerRoom = Math.min(MAX_HEADER_BYTES, length - 8);
        if (n < 2 || n > headerRoom) {
            throw new IOException(source + ": not a safetensors file (header length " + n + " in a file of " + length
                    + " bytes; at most " + Math.max(0, headerRoom) + " fit)");
        }
        byte[] headerBytes = new byte[(int) n];
        readFully(data, headerBytes, source, "header");
        Map<String, String> metadata = new TreeMap<>();
        List<TensorInfo> infos = parseHeader(headerBytes, length - 8 - n, source, metadata);
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (TensorInfo info : infos) {
            tensors.put(info.name, readData(data, info, source));
        }
        if (data.read() != -1) {
            throw new IOException(source + ": bytes after the last tensor (the file is not what its header says)");
        }
        return new Contents(metadata, tensors);
    }

    /** Reads a whole file of a Hadoop FileSystem, its length taken from the file system. */
    public static Contents read(FileSystem fs, Path file) throws IOException {
        long length = fs.getFileStatus(file).getLen();
        try (InputStream in = fs.open(file)) {
            return read(in, length, file.toString());
        }
    }

    public static Contents read(byte[] bytes, String source) throws IOException {
        return read(new java.io.ByteArrayInputStream(bytes), bytes.length, source);
    }

    // ------------------------------------------------------------------------------------------

    static List<Map.Entry<String, StoredTensor>> fileOrder(Map<String, StoredTensor> tensors) {
        List<Map.Entry<String, StoredTensor>> ordered = new ArrayList<>(tensors.entrySet());
        ordered.sort(Comparator.<Map.Entry<String, StoredTensor>, Dtype>comparing(
                        e -> e.getValue().dtype())
                .reversed()
                .thenComparing(Map.Entry::getKey));
        return ordered;
    }

    private static byte[] header(List<Map.Entry<String, StoredTensor>> ordered, Map<String, String> metadata)
            throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (JsonGenerator json = new JsonFactory().createGenerator(buffer)) {
            json.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                json.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                    json.writeStringField(m.getKey(), m.getValue());
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, StoredTensor> e : ordered) {
                StoredTensor t = e.getValue();
                json.writeObjectFieldStart(e.getKey());
                json.writeStringField("dtype", t.dtype().name());
                json.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    json.writeNumber(d);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                json.writeNumber(offset + t.byteLength());
                json.writeEndArray();
                json.writeEndObject();
                offset += t.byteLength();
            }
            json.writeEndObject();
        }
        int padding = (8 - buffer.size() % 8) % 8;
        for (int i = 0; i < padding; i++) {
            buffer.write(' ');
        }
        return buffer.toByteArray();
    }

    private static void writeData(OutputStream out, StoredTensor t) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) t.elementCount();
        for (int i = 0; i < count; i++) {
            if (chunk.remaining() < 4) {
                out.write(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
            if (t.dtype() == Dtype.F32) {
                chunk.putFloat(t.floats()[i]);
            } else {
                chunk.putInt(t.ints()[i]);
            }
        }
        out.write(chunk.array(), 0, chunk.position());
    }

    private record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {}

    private static List<TensorInfo> parseHeader(
            byte[] headerBytes, long dataBytes, String source, Map<String, String> metadata) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).stripTrailing());
        } catch (IOException e) {
            throw new IOException(source + ": the safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(source + ": the safetensors header is not a JSON object");
        }
        List<TensorInfo> infos = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals("__metadata__")) {
                field.getValue()
                        .properties()
                        .forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
            } else {
                infos.add(tensorInfo(field.getKey(), field.getValue(), dataBytes, source));
            }
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin));
        checkContiguous(infos, dataBytes, source);
        return infos;
    }

    private static TensorInfo tensorInfo(String name, JsonNode node, long dataBytes, String source) throws IOException {
        String dtypeName = node.path("dtype").asText();
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": tensor '" + name + "' has dtype '" + dtypeName
                    + "'; only F32 and I32 are supported (convert the file to float32)");
        }
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new IOException(
                    source + ": tensor '" + name + "' lacks a shape array or a [begin, end] data_offsets pair");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = count(shapeNode.get(i), name, "shape", source);
        }
        long begin = count(offsets.get(0), name, "data_offsets", source);
        long end = count(offsets.get(1), name, "data_offsets", source);
        // Against the file first: then every later figure is bounded by what is really there.
        if (end > dataBytes || begin > end) {
            throw new IOException(source + ": tensor '" + name + "' spans bytes [" + begin + ", " + end
                    + ") but the file has " + dataBytes + " bytes of data after its header");
        }
        long expected;
        try {
            expected = Math.multiplyExact(StoredTensor.elementCount(shape), dtype.size());
        } catch (ArithmeticException e) {
            throw new IOException(source + ": tensor '" + name + "' has a shape whose size overflows: "
                    + java.util.Arrays.toString(shape));
        }
        if (end - begin != expected) {
            throw new IOException(source + ": tensor '" + name + "' spans bytes [" + begin + ", " + end
                    + ") but its shape and dtype need " + expected);
        }
        if (expected / dtype.size() > Integer.MAX_VALUE - 8) {
            throw new IOException(source + ": tensor '" + name + "' is larger than a Java array");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** A dimension or an offset: a non-negative integer that fits a long, nothing else. */
    private static long count(JsonNode value, String name, String field, String source) throws IOException {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw new IOException(source + ": tensor '" + name + "' has " + field + " entry " + value
                    + "; expected a non-negative integer");
        }
        return value.asLong();
    }

    private static void checkContiguous(List<TensorInfo> infos, long dataBytes, String source) throws IOException {
        long expectedBegin = 0;
        for (TensorInfo info : infos) {
            if (info.begin != expectedBegin) {
                throw new IOException(
                        source + ": tensor '" + info.name + "' starts at byte " + info.begin + ", expected "
                                + expectedBegin + " (tensors must cover the data section without gaps or overlaps)");
            }
            expectedBegin = info.end;
        }
        if (expectedBegin != dataBytes) {
            throw new IOException(source + ": the tensors cover " + expectedBegin + " bytes but the file has "
                    + dataBytes + " bytes of data after its header");
        }
    }

    private static StoredTensor readData(DataInputStream data, TensorInfo info, String source) throws IOException {
        int count = (int) ((info.end - info.begin) / info.dtype.size());
        float[] floats = info.dtype == Dtype.F32 ? new float[count] : null;
        int[] ints = info.dtype == Dtype.I32 ? new int[count] : null;
        byte[] chunk = new byte[CHUNK];
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, CHUNK / 4);
            readFully(data, chunk, n * 4, source, info.name);
            ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n * 4).order(ByteOrder.LITTLE_ENDIAN);
            if (floats != null) {
                buffer.asFloatBuffer().get(floats, done, n);
            } else {
                buffer.asIntBuffer().get(ints, done, n);
            }
            done += n;
        }
        return new StoredTensor(info.dtype, info.shape, floats, ints);
    }

    private static long readLong(DataInputStream data, String source) throws IOException {
        try {
            return data.readLong();
        } catch (EOFException e) {
            throw new IOException(source + ": shorter than the 8-byte safetensors header length", e);
        }
    }

    private static void readFully(DataInputStream data, byte[] into, String source, String what) throws IOException {
        readFully(data, into, into.length, source, what);
    }

    private static void readFully(DataInputStream data, byte[] into, int length, String source, String what)
            throws IOException {
        try {
            data.readFully(into, 0, length);
        } catch (EOFException e) {
            throw new IOException(source + ": truncated inside " + what, e);
        }
    }
}
