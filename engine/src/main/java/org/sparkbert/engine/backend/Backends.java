package org.sparkbert.engine.backend;

import com.aparapi.device.OpenCLDevice;
import java.util.Optional;
import java.util.logging.Logger;
import org.sparkbert.engine.backend.opencl.OpenClBackend;
import org.sparkbert.engine.backend.opencl.OpenClDevices;

/**
 * The one way to get a backend, for training in the driver, the replicas on the executors and
 * evaluation alike: the `--backend cpu|opencl|auto` and `--device` rule: cpu is the plain-Java backend; opencl runs on
 * the `--device` (index, part of a name, or auto: the first GPU, else the first OpenCL device) and
 * fails if there is none; auto takes the first GPU when there is one and otherwise the cpu backend
 * (a CPU OpenCL runtime such as POCL is for correctness, not speed). The chosen device is logged.
 * Shared memory is off even on a CPU device, so every device copies buffers like a discrete GPU and
 * the transfer counters mean the same everywhere.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    public static final String NAMES = "cpu, opencl, auto";

    /** A backend by name; threads is the cpu backend's pool size (and the host threads of the others). */
    public static Backend create(String backend, String device, int threads) {
        switch (backend) {
            case "cpu":
                return new CpuBackend(threads);
            case "opencl":
                return opencl(OpenClDevices.select(device), threads);
            case "auto": {
                Optional<OpenCLDevice> gpu = device == null || device.equals("auto")
                        ? OpenClDevices.firstGpu()
                        : Optional.of(OpenClDevices.select(device));
                if (gpu.isEmpty()) {
                    LOG.info("backend auto: no OpenCL GPU found, using the cpu backend with " + threads + " threads");
                    return new CpuBackend(threads);
                }
                return opencl(gpu.get(), threads);
            }
            default:
                throw new IllegalArgumentException("unknown backend '" + backend + "': use one of " + NAMES);
        }
    }

    /** The plain-Java backend with this many threads. */
    public static Backend cpu(int threads) {
        return new CpuBackend(threads);
    }

    private static Backend opencl(OpenCLDevice device, int threads) {
        LOG.info("backend opencl on " + OpenClDevices.describe(device));
        return new OpenClBackend(device, threads, false);
    }

    private Backends() {}
}
