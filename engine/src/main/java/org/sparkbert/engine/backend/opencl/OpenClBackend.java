package org.sparkbert.engine.backend.opencl;

import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import com.aparapi.exception.QueryFailedException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.sparkbert.engine.backend.Backend;

/**
 * The Aparapi OpenCL backend: both arenas live on the device inside one {@link TrainingKernel}
 * instance in explicit buffer mode, so parameters, gradients, optimiser state and activations never
 * cross the bus; a write or read of an arena range goes through a staging buffer (the batch in, the
 * losses and metrics out). Never runs Aparapi's Java fallback: the kernel is compiled for the device
 * at allocation, every Range names the device and a local size, and after an operation's first
 * launch the backend checks that it ran on OpenCL, else stops naming the operation and what Aparapi
 * logged.
 */
public final class OpenClBackend implements Backend {
    /** Floats per bulk staged transfer (1 MiB). */
    private static final int STAGE = 1 << 18;
    /** Floats of the small staging buffer: metric reads and the partial sums of a reduction. */
    private static final int SMALL = 1024;

    private static final String[] OP_NAMES = opNames();

    private final OpenCLDevice device;
    private final int threads;
    private TrainingKernel k;
    private int local, tile;
    private final Map<Long, Range> ranges = new HashMap<>();
    private final boolean[] verified = new boolean[TrainingKernel.OPS];
    /** Wall time per operation (Aparapi's execute returns when the device is done). */
    private final long[] opNanos = new long[TrainingKernel.OPS];

    private final long[] opLaunches = new long[TrainingKernel.OPS];
    private long launches, bytesToDevice, bytesFromDevice;
    /**
     * The host copy of the int arena has writes the device has not seen. The host copy is otherwise
     * always current (the one operation that writes ints fetches them at once), so if Aparapi
     * rebuilds this small, movable array's device buffer from the host, nothing is lost.
     */
    private boolean intsToPut;

    /**
     * A backend on this device. sharedMemory false makes a CPU device (POCL) copy buffers like a
     * discrete GPU instead of aliasing the Java arrays; a GPU never shares memory.
     */
    public OpenClBackend(OpenCLDevice device, int threads, boolean sharedMemory) {
        this.device = device;
        this.threads = threads;
        device.setSharedMemory(sharedMemory);
        AparapiWarnings.install();
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public int threads() {
        return threads;
    }

    public OpenCLDevice device() {
        return device;
    }

    /** Launches and bytes moved so far; the difference of two snapshots is one step's. */
    public DeviceCounters counters() {
        return new DeviceCounters(launches, bytesToDevice, bytesFromDevice);
    }

    /** Seconds spent in each operation's launches so far, by operation name, for operations that ran. */
    public java.util.Map<String, Double> secondsByOperation() {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (int op = 0; op < opNanos.length; op++) if (opLaunches[op] > 0) out.put(OP_NAMES[op], opNanos[op] / 1e9);
        return out;
    }

    /** The work-group sizes in use: element-wise operations, and the GEMM's side in items (each computes 4 x 4 outputs). */
    public int localSize() {
        return local;
    }

    public int tileSize() {
        return tile;
    }

    @Override
    public void allocate(int floats, int ints) {
        if (k != null) throw new IllegalStateException("the opencl backend's arenas are already allocated");
        if (4L * floats > device.getMaxMemAllocSize()) {
            throw new IllegalArgumentException("the model's float arena is " + (4L * floats >> 20) + " MiB but "
                    + device.getName() + " allocates at most " + (device.getMaxMemAllocSize() >> 20)
                    + " MiB in one buffer: use a smaller batch or model");
        }
        // Aparapi 3.0.2 checks a Range made with a device against that device's limit (not its old fixed 256)
        int maxGroup = device.getMaxWorkGroupSize();
        tile = maxGroup >= 256 && device.getLocalMemSize() >= 2L * 64 * TrainingKernel.GEMM_K * 4
                ? 16
                : maxGroup >= 64 ? 8 : 4;
        k = new TrainingKernel(floats, ints, STAGE, SMALL, tile, UnmovedArrays.minimumLength());
        k.setExplicit(true);
        try {
            k.compile(device);
        } catch (CompileFailedException e) {
            throw new IllegalStateException(
                    "the OpenCL training kernel did not compile for " + device.getName() + ": " + e.getMessage() + "; "
                            + AparapiWarnings.drain(),
                    e);
        }
        int kernelMax = kernelMaxWorkGroupSize(maxGroup);
        if (kernelMax < tile * tile) tile = kernelMax >= 64 ? 8 : 4;
        k.tile = tile;
        local = Integer.highestOneBit(Math.min(TrainingKernel.MAX_LOCAL, kernelMax));
        put(k.f);
        put(k.ints);
        put(k.stage);
        put(k.small);
        put(k.scratch);
        put(k.order);
    }

    /** The compiled kernel's own limit (registers and local memory can make it smaller than the device's). */
    private int kernelMaxWorkGroupSize(int deviceMax) {
        try {
            return Math.min(deviceMax, k.getKernelMaxWorkGroupSize(device));
        } catch (QueryFailedException e) {
            throw new IllegalStateException(
                    "cannot query the kernel's work-group limit on " + device.getName() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- transfers

    private void put(float[] a) {
        k.put(a);
        bytesToDevice += 4L * a.length;
    }

    private void put(int[] a) {
        k.put(a);
        bytesToDevice += 4L * a.length;
    }

    private void get(float[] a) {
        k.get(a);
        bytesFromDevice += 4L * a.length;
    }

    private void get(int[] a) {
        k.get(a);
        bytesFromDevice += 4L * a.length;
    }

    @Override
    public void write(int off, float[] src, int srcOff, int n) {
        for (int done = 0; done < n; ) {
            boolean small = n - done <= SMALL;
            float[] buffer = small ? k.small : k.stage;
            int m = Math.min(n - done, buffer.length);
            System.arraycopy(src, srcOff + done, buffer, 0, m);
            put(buffer);
            args(off + done, 0, m, small ? 1 : 0);
            launch(TrainingKernel.STAGE_IN, m, local);
            done += m;
        }
    }

    @Override
    public void read(int off, float[] dst, int dstOff, int n) {
        for (int done = 0; done < n; ) {
            boolean small = n - done <= SMALL;
            float[] buffer = small ? k.small : k.stage;
            int m = Math.min(n - done, buffer.length);
            args(off + done, 0, m, small ? 1 : 0);
            launch(TrainingKernel.STAGE_OUT, m, local);
            get(buffer);
            System.arraycopy(buffer, 0, dst, dstOff + done, m);
            done += m;
        }
    }

    /** The int arena is batch-sized: it moves whole, and only when the host changed it. */
    @Override
    public void writeInts(int off, int[] src, int srcOff, int n) {
        System.arraycopy(src, srcOff, k.ints, off, n);
        intsToPut = true;
    }

    @Override
    public void readInts(int off, int[] dst, int dstOff, int n) {
        System.arraycopy(k.ints, off, dst, dstOff, n);
    }

    @Override
    public void fill(int off, int n, float value) {
        args(off, 0, n);
        k.x0 = value;
        launch(TrainingKernel.FILL, n, local);
    }

    @Override
    public void copy(int dst, int src, int n) {
        args(dst, src, n);
        launch(TrainingKernel.COPY, n, local);
    }

    // ---------------------------------------------------------------- matrix products

    @Override
    public void gemm(
            boolean transA,
            boolean transB,
            int M,
            int N,
            int K,
            int a,
            int lda,
            int b,
            int ldb,
            int c,
            int ldc,
            boolean accumulate) {
        product(transA, transB, M, N, K, a, lda, b, ldb, c, ldc, accumulate, -1);
    }

    @Override
    public void linearForward(int out, int inp, int w, int bias, int M, int N, int K) {
        product(false, true, M, N, K, inp, K, w, K, out, N, false, bias);
    }

    @Override
    public void linearBackward(int dinp, int dw, int dbias, int dout, int inp, int w, int M, int N, int K) {
        if (dinp >= 0) gemm(false, false, M, K, N, dout, N, w, K, dinp, K, true);
        gemm(true, false, N, K, M, dout, N, inp, K, dw, K, true);
        if (dbias >= 0) {
            args(dbias, dout, M, N);
            launch(TrainingKernel.COLUMN_SUMS, N, local);
        }
    }

    private void product(
            boolean transA,
            boolean transB,
            int M,
            int N,
            int K,
            int a,
            int lda,
            int b,
            int ldb,
            int c,
            int ldc,
            boolean accumulate,
            int bias) {
        if (M == 0 || N == 0) return;
        int tilesM = ceilDiv(M, 4 * tile), tilesN = ceilDiv(N, 4 * tile);
        args(transA ? 1 : 0, transB ? 1 : 0, M, N, K, a, lda, b, ldb, c, ldc, accumulate ? 1 : 0, bias, tilesN);
        launch(TrainingKernel.GEMM, tilesM * tilesN * tile * tile, tile * tile);
    }

    // ---------------------------------------------------------------- embeddings and gathers

    @Override
    public void embeddingForward(int out, int ids, int types, int wte, int wpe, int wtt, int B, int T, int C) {
        args(out, ids, types, wte, wpe, wtt, B * T, T, C);
        launch(TrainingKernel.EMBEDDING_FORWARD, B * T * C, local);
    }

    /**
     * Deterministic without float atomics: the host sorts the token rows by id (stable, so each
     * row's tokens are summed in position order, as on the cpu backend) and one work item per
     * (distinct id, channel) adds them up.
     */
    @Override
    public void embeddingBackward(int dwte, int dwpe, int dwtt, int dout, int ids, int types, int B, int T, int C) {
        int BT = B * T;
        long[] keyed = new long[BT];
        for (int r = 0; r < BT; r++) keyed[r] = ((long) k.ints[ids + r] << 32) | r;
        Arrays.sort(keyed);
        int distinct = 0;
        for (int r = 0; r < BT; r++) if (r == 0 || (keyed[r] >>> 32) != (keyed[r - 1] >>> 32)) distinct++;
        int need = BT + 2 * distinct + 1;
        if (k.order.length < need) {
            k.order = new int[need];
        }
        int[] order = k.order;
        int u = 0;
        for (int r = 0; r < BT; r++) {
            order[r] = (int) keyed[r];
            if (r == 0 || (keyed[r] >>> 32) != (keyed[r - 1] >>> 32)) {
                order[BT + u] = (int) (keyed[r] >>> 32);
                order[BT + distinct + u] = r;
                u++;
            }
        }
        order[BT + 2 * distinct] = BT;
        put(order);
        args(dwte, dout, distinct, 0, 0, 0, BT, BT + distinct, C);
        launch(TrainingKernel.EMBEDDING_WORDS_BACKWARD, distinct * C, local);
        if (dwpe >= 0) {
            args(dwpe, dout, B, 0, 0, 0, 0, T, C);
            launch(TrainingKernel.EMBEDDING_POSITIONS_BACKWARD, T * C, local);
        }
        int typeCount = 0;
        for (int r = 0; r < BT; r++) typeCount = Math.max(typeCount, k.ints[types + r] + 1);
        args(dwtt, dout, types, typeCount, 0, 0, BT, 0, C);
        launch(TrainingKernel.EMBEDDING_TYPES_BACKWARD, typeCount * C, local);
    }

    @Override
    public void gatherRows(int out, int in, int rows, int n, int C) {
        args(out, in, rows, n, C);
        launch(TrainingKernel.GATHER, n * C, local);
    }

    @Override
    public void scatterAddRows(int din, int dout, int rows, int n, int C) {
        args(din, dout, rows, n, C);
        launch(TrainingKernel.SCATTER_ADD, n * C, local);
    }

    // ---------------------------------------------------------------- normalisation and element-wise

    @Override
    public void layerNormForward(int out, int mean, int rstd, int inp, int w, int b, int N, int C, float eps) {
        args(out, mean, rstd, inp, w, b, N, C);
        k.x0 = eps;
        launch(TrainingKernel.LAYER_NORM_FORWARD, N, local);
    }

    @Override
    public void layerNormBackward(
            int dinp, int dw, int db, int dout, int inp, int w, int mean, int rstd, int N, int C) {
        args(dinp, mean, rstd, inp, w, 0, N, C, dw, db, dout);
        launch(TrainingKernel.LAYER_NORM_INPUT_BACKWARD, N, local);
        launch(TrainingKernel.LAYER_NORM_PARAM_BACKWARD, C, local);
    }

    @Override
    public void geluForward(int out, int inp, int n) {
        args(out, inp, 0, n);
        launch(TrainingKernel.GELU_FORWARD, n, local);
    }

    @Override
    public void geluBackward(int dinp, int inp, int dout, int n) {
        args(dinp, inp, dout, n);
        launch(TrainingKernel.GELU_BACKWARD, n, local);
    }

    @Override
    public void tanhForward(int out, int inp, int n) {
        args(out, inp, 0, n);
        launch(TrainingKernel.TANH_FORWARD, n, local);
    }

    @Override
    public void tanhBackward(int dinp, int out, int dout, int n) {
        args(dinp, out, dout, n);
        launch(TrainingKernel.TANH_BACKWARD, n, local);
    }

    @Override
    public void dropoutForward(int out, int inp, int n, float p, int key, int firstSequence, int perSequence) {
        args(out, inp, 0, n, key, firstSequence, perSequence);
        k.x0 = p;
        launch(TrainingKernel.DROPOUT_FORWARD, n, local);
    }

    @Override
    public void dropoutBackward(int dinp, int dout, int n, float p, int key, int firstSequence, int perSequence) {
        args(dinp, 0, dout, n, key, firstSequence, perSequence);
        k.x0 = p;
        launch(TrainingKernel.DROPOUT_BACKWARD, n, local);
    }

    @Override
    public void residualForward(int out, int x, int y, int n, float p, int key, int firstSequence, int perSequence) {
        args(out, x, y, n, key, firstSequence, perSequence);
        k.x0 = p;
        launch(TrainingKernel.RESIDUAL_FORWARD, n, local);
    }

    @Override
    public void residualBackward(
            int dx, int dy, int dout, int n, float p, int key, int firstSequence, int perSequence) {
        args(dx, dy, dout, n, key, firstSequence, perSequence);
        k.x0 = p;
        launch(TrainingKernel.RESIDUAL_BACKWARD, n, local);
    }

    // ---------------------------------------------------------------- attention

    @Override
    public void attentionForward(
            int out,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence,
            int bias) {
        args(out, att, attDrop, qkv, mask, B, T, NH, D, key, 0, firstSequence, bias);
        k.x0 = p;
        k.x1 = (float) (1.0 / Math.sqrt(D));
        launch(TrainingKernel.ATTENTION_FORWARD, B * NH * T, local);
    }

    @Override
    public void attentionBackward(
            int dqkv,
            int dout,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence,
            int dbias) {
        int scores = B * NH * T * T;
        if (k.scratch.length < scores) {
            k.scratch = new float[Math.max(scores, UnmovedArrays.minimumLength())];
            put(k.scratch);
        }
        args(dqkv, att, attDrop, qkv, mask, B, T, NH, D, key, dout, firstSequence, dbias);
        k.x0 = p;
        k.x1 = (float) (1.0 / Math.sqrt(D));
        launch(TrainingKernel.ATTENTION_SCORE_BACKWARD, B * NH * T, local);
        launch(TrainingKernel.ATTENTION_QKV_BACKWARD, 3 * B * NH * T * D, local);
    }

    // ---------------------------------------------------------------- relative positions

    @Override
    public void relativePositionForward(
            int bias, int qkv, int dist, int B, int T, int NH, int D, int M, boolean keyQuery) {
        args(bias, qkv, dist, B, T, NH, D, M, keyQuery ? 1 : 0);
        launch(TrainingKernel.RELATIVE_POSITION_FORWARD, B * NH * T * T, local);
    }

    @Override
    public void relativePositionBackward(
            int dqkv, int ddist, int dbias, int qkv, int dist, int B, int T, int NH, int D, int M, boolean keyQuery) {
        args(dbias, qkv, dist, B, T, NH, D, M, keyQuery ? 1 : 0, dqkv, ddist);
        launch(TrainingKernel.RELATIVE_POSITION_QK_BACKWARD, (keyQuery ? 2 : 1) * B * NH * T * D, local);
        launch(TrainingKernel.RELATIVE_POSITION_TABLE_BACKWARD, (2 * T - 1) * D, local);
    }

    // ---------------------------------------------------------------- loss

    @Override
    public void crossEntropy(
            int loss, int correct, int dlogits, int logits, int labels, int rows, int V, float gradScale) {
        for (int r = 0; r < rows; r++) {
            int label = k.ints[labels + r];
            if (label < 0 || label >= V) {
                throw new IllegalArgumentException(
                        "label " + label + " of row " + r + " is outside the vocabulary of " + V);
            }
        }
        args(loss, correct, dlogits, logits, labels, rows, V);
        k.x0 = gradScale;
        launch(TrainingKernel.CROSS_ENTROPY, rows * local, local);
        get(k.ints);
    }

    @Override
    public void sampleTokens(int out, int logits, int positions, int rows, int V, int key, int firstSequence, int T) {
        args(out, logits, positions, rows, V, key, firstSequence, T);
        launch(TrainingKernel.SAMPLE_TOKENS, rows, local);
        get(k.ints);
    }

    @Override
    public void binaryCrossEntropy(
            int loss, int outcome, int dlogits, int logits, int labels, int mask, int n, float gradScale) {
        for (int i = 0; i < n; i++) {
            int y = k.ints[labels + i];
            if (k.ints[mask + i] != 0 && y != 0 && y != 1) {
                throw new IllegalArgumentException("replaced-token label " + y + " at " + i + " is not 0 or 1");
            }
        }
        args(loss, outcome, dlogits, logits, labels, mask, n);
        k.x0 = gradScale;
        launch(TrainingKernel.BINARY_CROSS_ENTROPY, n, local);
        get(k.ints);
    }

    // ---------------------------------------------------------------- optimiser and clipping

    /** SMALL partial sums in float on the device, added in double in a fixed order on the host. */
    @Override
    public double sumOfSquares(int off, int n) {
        if (n == 0) return 0;
        args(off, 0, 0, 0, n, 0, SMALL);
        launch(TrainingKernel.SUM_OF_SQUARES, SMALL, local);
        get(k.small);
        double total = 0;
        for (float s : k.small) total += s;
        return total;
    }

    @Override
    public void scale(int off, int n, float factor) {
        args(off, 0, 0, 0, n);
        k.x0 = factor;
        launch(TrainingKernel.SCALE, n, local);
    }

    @Override
    public void axpy(int dst, int src, int n, float alpha) {
        args(dst, src, 0, 0, n);
        k.x0 = alpha;
        launch(TrainingKernel.AXPY, n, local);
    }

    @Override
    public void adamw(
            int param,
            int grad,
            int m,
            int v,
            int n,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            float bc1,
            float bc2) {
        args(param, grad, m, v, n);
        floats(lr / bc1, beta1, beta2, eps, 1f - lr * weightDecay, (float) Math.sqrt(bc2));
        launch(TrainingKernel.ADAMW, n, local);
    }

    @Override
    public void lambDirection(
            int param,
            int grad,
            int m,
            int v,
            int n,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            float bc1,
            float bc2) {
        args(param, grad, m, v, n);
        floats(bc1, beta1, beta2, eps, weightDecay, bc2);
        launch(TrainingKernel.LAMB_DIRECTION, n, local);
    }

    @Override
    public void sgd(
            int param, int grad, int buf, int n, float lr, float momentum, boolean nesterov, float weightDecay) {
        args(param, grad, buf, 0, n, nesterov ? 1 : 0);
        floats(lr, momentum, 0f, 0f, weightDecay, 0f);
        launch(TrainingKernel.SGD, n, local);
    }

    @Override
    public void adagrad(int param, int grad, int sum, int n, float lr, float eps, float weightDecay) {
        args(param, grad, sum, 0, n);
        floats(lr, 0f, 0f, eps, weightDecay, 0f);
        launch(TrainingKernel.ADAGRAD, n, local);
    }

    @Override
    public void adadelta(
            int param, int grad, int sqAvg, int accDelta, int n, float lr, float rho, float eps, float weightDecay) {
        args(param, grad, sqAvg, accDelta, n);
        floats(lr, rho, 0f, eps, weightDecay, 0f);
        launch(TrainingKernel.ADADELTA, n, local);
    }

    @Override
    public void close() {
        if (k != null) k.dispose();
    }

    // ---------------------------------------------------------------- launching

    /** Sets the operands a0, a1, ... in order (the rest keep their values and are unused). */
    private void args(int... a) {
        int[] v = Arrays.copyOf(a, 14);
        k.a0 = v[0];
        k.a1 = v[1];
        k.a2 = v[2];
        k.a3 = v[3];
        k.a4 = v[4];
        k.a5 = v[5];
        k.a6 = v[6];
        k.a7 = v[7];
        k.a8 = v[8];
        k.a9 = v[9];
        k.a10 = v[10];
        k.a11 = v[11];
        k.a12 = v[12];
        k.a13 = v[13];
    }

    private void floats(float x0, float x1, float x2, float x3, float x4, float x5) {
        k.x0 = x0;
        k.x1 = x1;
        k.x2 = x2;
        k.x3 = x3;
        k.x4 = x4;
        k.x5 = x5;
    }

    /** Runs op over at least `items` work items (padded to the local size; the kernel guards the tail). */
    private void launch(int op, int items, int localSize) {
        if (items <= 0) return;
        if (intsToPut) {
            put(k.ints);
            intsToPut = false;
        }
        k.op = op;
        long t0 = System.nanoTime();
        k.execute(range(ceilDiv(items, localSize) * localSize, localSize));
        opNanos[op] += System.nanoTime() - t0;
        opLaunches[op]++;
        launches++;
        if (!verified[op]) verify(op);
    }

    private Range range(int global, int localSize) {
        return ranges.computeIfAbsent(global * 2048L + localSize, key -> Range.create(device, global, localSize));
    }

    private void verify(int op) {
        requireOpenCl(k, device, OP_NAMES[op]);
        verified[op] = true;
    }

    /**
     * Stops on Aparapi's silent fallback to Java threads: after an execution the kernel's target
     * must be an OpenCL device and Aparapi must be running it as OpenCL. Names the operation and
     * what Aparapi logged.
     */
    static void requireOpenCl(com.aparapi.Kernel kernel, OpenCLDevice device, String operation) {
        if (!(kernel.getTargetDevice() instanceof OpenCLDevice) || !kernel.isRunningCL()) {
            throw new IllegalStateException("the OpenCL operation " + operation
                    + " did not run on OpenCL (Aparapi ran it on "
                    + kernel.getTargetDevice() + " instead of " + device.getName() + "): " + AparapiWarnings.drain()
                    + "; the kernel must not use anything Aparapi cannot translate (doubles, objects, switch)");
        }
    }

    /** Whether the kernel's last execution ran as OpenCL on an OpenCL device. */
    public boolean ranOnOpenCl() {
        return k != null && k.getTargetDevice() instanceof OpenCLDevice && k.isRunningCL();
    }

    /** The device Aparapi ran the kernel's last execution on. */
    public com.aparapi.device.Device targetDevice() {
        return k.getTargetDevice();
    }

    /** TrainingKernel's operation names by number, from its constants. */
    private static String[] opNames() {
        String[] names = new String[TrainingKernel.OPS];
        for (Field field : TrainingKernel.class.getDeclaredFields()) {
            int mods = field.getModifiers();
            // every static int of the kernel is an operation number except these sizes
            boolean operation = Modifier.isStatic(mods)
                    && field.getType() == int.class
                    && !field.getName().equals("OPS")
                    && !field.getName().equals("GEMM_K")
                    && !field.getName().equals("MAX_LOCAL");
            if (!operation) continue;
            try {
                field.setAccessible(true);
                names[field.getInt(null)] = field.getName();
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return names;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
