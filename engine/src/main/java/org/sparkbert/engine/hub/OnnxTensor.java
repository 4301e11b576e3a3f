package org.sparkbert.engine.hub;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * One ONNX tensor (an initialiser or a Constant node's value) decoded to Java arrays: FLOAT as
 * {@code floats}, INT64 and INT32 as {@code longs} (the other array is null).
 */
record OnnxTensor(String name, long[] dims, float[] floats, long[] longs) {
    private static final int FLOAT = 1;
    private static final int INT32 = 6;
    private static final int INT64 = 7;
    private static final int EXTERNAL = 1;

    static OnnxTensor decode(DynamicMessage t, String fallbackName, String source) {
        String name = OnnxGraph.string(t, "name");
        if (name.isEmpty()) {
            name = fallbackName;
        }
        if (OnnxGraph.integer(t, "data_location") == EXTERNAL) {
            throw new IllegalArgumentException(
                    source + ": tensor '" + name + "' keeps its data in an external file; "
                            + "re-export the model with all tensors inside the .onnx file (onnx.save(..., save_as_external_data=False))");
        }
        List<?> dimList = OnnxGraph.list(t, "dims");
        long[] dims = dimList.stream().mapToLong(d -> (Long) d).toArray();
        int count = Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact));
        int type = OnnxGraph.integer(t, "data_type");
        ByteString raw = (ByteString) t.getField(OnnxSchema.TENSOR.findFieldByName("raw_data"));
        ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT -> {
                float[] values = new float[count];
                if (!raw.isEmpty()) {
                    bytes.asFloatBuffer().get(values);
                } else {
                    List<?> data = OnnxGraph.list(t, "float_data");
                    for (int i = 0; i < count; i++) values[i] = (Float) data.get(i);
                }
                return new OnnxTensor(name, dims, values, null);
            }
            case INT64, INT32 -> {
                long[] values = new long[count];
                if (!raw.isEmpty()) {
                    for (int i = 0; i < count; i++) values[i] = type == INT64 ? bytes.getLong() : bytes.getInt();
                } else {
                    List<?> data = OnnxGraph.list(t, type == INT64 ? "int64_data" : "int32_data");
                    for (int i = 0; i < count; i++) values[i] = ((Number) data.get(i)).longValue();
                }
                return new OnnxTensor(name, dims, null, values);
            }
            default -> {
                return new OnnxTensor(name, dims, null, null);
            }
        }
    }

    /** The single number of a scalar (or one-element) tensor. */
    double scalar() {
        if (floats != null && floats.length == 1) return floats[0];
        if (longs != null && longs.length == 1) return longs[0];
        throw new IllegalArgumentException(
                "tensor '" + name + "' of shape " + Arrays.toString(dims) + " is not a number");
    }

    boolean isScalar() {
        return (floats != null && floats.length == 1) || (longs != null && longs.length == 1);
    }
}
