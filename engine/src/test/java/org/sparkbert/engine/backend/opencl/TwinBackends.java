package org.sparkbert.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.device.OpenCLDevice;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;

/**
 * The cpu backend (the oracle) and the opencl backend on POCL with shared memory off, holding the
 * same arenas: a test lays tensors out with {@link #floats}/{@link #ints}, fills them identically,
 * runs one operation on both and compares outputs by ||a-b|| / ||b||.
 */
final class TwinBackends implements AutoCloseable {
    final Backend cpu;
    final OpenClBackend gpu;
    private final SplittableRandom random = new SplittableRandom(42);
    private int nextFloat, nextInt;

    TwinBackends(int floats, int ints) {
        cpu = Backends.cpu(2);
        gpu = new OpenClBackend(poclDevice(), 1, false);
        cpu.allocate(floats, ints);
        gpu.allocate(floats, ints);
    }

    /** The one CPU OpenCL device POCL provides (tests run without a GPU). */
    static OpenCLDevice poclDevice() {
        return OpenClDevices.select("auto");
    }

    /** Starts a fresh layout (earlier tensors are reused storage). */
    void reset() {
        nextFloat = 0;
        nextInt = 0;
    }

    /** A float tensor of n values uniform in [-scale, scale), the same on both backends. */
    int floats(int n, float scale) {
        int off = nextFloat;
        nextFloat += n;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        cpu.write(off, v, 0, n);
        gpu.write(off, v, 0, n);
        return off;
    }

    /** An int tensor with the given values on both backends. */
    int ints(int[] values) {
        int off = nextInt;
        nextInt += values.length;
        cpu.writeInts(off, values, 0, values.length);
        gpu.writeInts(off, values, 0, values.length);
        return off;
    }

    int[] randomInts(int n, int bound) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = random.nextInt(bound);
        return v;
    }

    void run(Consumer<Backend> op) {
        op.accept(cpu);
        op.accept(gpu);
    }

    /** ||opencl - cpu|| / ||cpu|| over arena[off, off+n) below tol (and the cpu values not all zero). */
    void assertClose(String what, int off, int n, double tol) {
        float[] want = new float[n], got = new float[n];
        cpu.read(off, want, 0, n);
        gpu.read(off, got, 0, n);
        double diff = 0, norm = 0;
        for (int i = 0; i < n; i++) {
            diff += (double) (got[i] - want[i]) * (got[i] - want[i]);
            norm += (double) want[i] * want[i];
        }
        assertTrue(norm > 0, what + ": the cpu result is all zero, the comparison would prove nothing");
        double rel = Math.sqrt(diff / norm);
        assertTrue(rel < tol, what + ": ||opencl - cpu|| / ||cpu|| = " + rel + " (limit " + tol + ")");
    }

    void assertIntsEqual(String what, int off, int n) {
        int[] want = new int[n], got = new int[n];
        cpu.readInts(off, want, 0, n);
        gpu.readInts(off, got, 0, n);
        assertArrayEquals(want, got, what);
    }

    @Override
    public void close() {
        cpu.close();
        gpu.close();
    }
}
