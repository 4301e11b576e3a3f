package org.sparkbert.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.model.ClassModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GPU path is real: the training kernel needs no FP64, its operations run on an OpenCL device,
 * and Aparapi's silent fallback to Java threads is caught and stops with the reason.
 */
class OpenClExecutionTest {

    @Test
    void trainingKernelIsFloatOnly() throws Exception {
        assertFalse(
                ClassModel.createClassModel(TrainingKernel.class)
                        .getEntrypoint("run", new TrainingKernel(16, 16, 16, 16, 4, 16))
                        .requiresDoublePragma(),
                "the training kernel generates double-precision OpenCL (a literal without f, or Math.*): GPUs without FP64 would fall back");
        // the check itself can say yes
        assertTrue(ClassModel.createClassModel(DoubleKernel.class)
                .getEntrypoint("run", new DoubleKernel())
                .requiresDoublePragma());
    }

    @Test
    void operationsRunOnTheOpenClDevice() {
        OpenCLDevice device = TwinBackends.poclDevice();
        try (OpenClBackend backend = new OpenClBackend(device, 1, false)) {
            backend.allocate(1000, 10);
            float[] in = new float[1000];
            for (int i = 0; i < in.length; i++) in[i] = i;
            backend.write(0, in, 0, 1000);
            backend.scale(0, 1000, 2f);
            float[] out = new float[1000];
            backend.read(0, out, 0, 1000);
            for (int i = 0; i < out.length; i++) assertEquals(2f * i, out[i], "element " + i);
            assertTrue(
                    backend.ranOnOpenCl(),
                    "the kernel's target device is an OpenCL device and Aparapi runs it as OpenCL");
            assertEquals(device.getDeviceId(), ((OpenCLDevice) backend.targetDevice()).getDeviceId());
            DeviceCounters c = backend.counters();
            assertTrue(c.launches() >= 3, "write, scale and read each launch a kernel: " + c);
            assertTrue(backend.localSize() > 0 && backend.localSize() <= device.getMaxWorkGroupSize());
            assertTrue(backend.tileSize() * backend.tileSize() <= device.getMaxWorkGroupSize());
        }
    }

    @Test
    void aFallbackToJavaStopsWithTheReason() {
        AparapiWarnings.install();
        OpenCLDevice device = TwinBackends.poclDevice();
        ObjectKernel kernel = new ObjectKernel();
        try {
            kernel.setExplicit(true);
            // a Range without a device: Aparapi falls back silently (one bound to the device trips an assertion
            // under -ea, and runs the fallback just as silently without it)
            kernel.execute(Range.create(64, 16));
            assertEquals(64, kernel.out[63] + 1, "the kernel did run (in Java)");
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> OpenClBackend.requireOpenCl(kernel, device, "OBJECT_FIELD"));
            assertTrue(e.getMessage().contains("OBJECT_FIELD"), e.getMessage());
            assertTrue(e.getMessage().contains("did not run on OpenCL"), e.getMessage());
            assertFalse(
                    e.getMessage().contains("logged no warning"),
                    "the error carries Aparapi's reason: " + e.getMessage());
        } finally {
            kernel.dispose();
        }
    }

    /** Touches an object field: Aparapi cannot translate it and falls back to its Java thread pool. */
    static final class ObjectKernel extends Kernel {
        final List<Integer> list = new ArrayList<>(List.of(1));
        final int[] out = new int[64];

        @Override
        public void run() {
            int i = getGlobalId();
            out[i] = i * list.size();
        }
    }

    /** 0.5 without an f is a double: the class model then asks for the FP64 pragma. */
    static final class DoubleKernel extends Kernel {
        final float[] data = new float[4];

        @Override
        public void run() {
            int i = getGlobalId();
            // double arithmetic without a double literal: BCEL 6.6 and later (the CVE-2022-42920 fix) refuse
            // the unused constant-pool slot after a CONSTANT_Double or CONSTANT_Long that Aparapi's class model
            // reads, so a kernel class holding such a constant fails to load instead of generating FP64 code
            double d = data[i];
            data[i] = (float) (d * d);
        }
    }
}
