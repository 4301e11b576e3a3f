package org.sparkbert.engine.checkpoint;

import java.util.Arrays;

/**
 * One tensor as a safetensors file holds it: a dtype, a shape and row-major values
 * ({@code floats} for F32, {@code ints} for I32; the other array is null).
 */
public record StoredTensor(Safetensors.Dtype dtype, long[] shape, float[] floats, int[] ints) {

    public StoredTensor {
        long count = elementCount(shape);
        int length = dtype == Safetensors.Dtype.F32 ? floats.length : ints.length;
        if (count != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count + " values, the "
                    + dtype + " array has " + length);
        }
    }

    public static StoredTensor f32(float[] values, long... shape) {
        return new StoredTensor(Safetensors.Dtype.F32, shape.clone(), values, null);
    }

    public static StoredTensor i32(int[] values, long... shape) {
        return new StoredTensor(Safetensors.Dtype.I32, shape.clone(), null, values);
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public long byteLength() {
        return elementCount() * dtype.size();
    }

    /** The shape as ints (every dimension of our tensors fits an int). */
    public int[] intShape() {
        return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    }

    static long elementCount(long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredTensor t
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && Arrays.equals(floats, t.floats)
                && Arrays.equals(ints, t.ints);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(floats) + Arrays.hashCode(ints);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
