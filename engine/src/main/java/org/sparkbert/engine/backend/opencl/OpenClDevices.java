package org.sparkbert.engine.backend.opencl;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The OpenCL devices Aparapi sees, in platform order, and the `--device` rule: a number is an index
 * into {@link #all}, any other text picks the first device whose name contains it (ignoring case),
 * and "auto" the first GPU.
 */
public final class OpenClDevices {

    /** Every OpenCL device of every platform; empty when no OpenCL runtime is installed. */
    public static List<OpenCLDevice> all() {
        List<OpenCLDevice> devices = new ArrayList<>();
        for (OpenCLPlatform platform : new OpenCLPlatform().getOpenCLPlatforms())
            devices.addAll(platform.getOpenCLDevices());
        return devices;
    }

    /** The first GPU, if any. */
    public static Optional<OpenCLDevice> firstGpu() {
        return all().stream().filter(d -> d.getType() == Device.TYPE.GPU).findFirst();
    }

    /**
     * The device a `--device` value names: "auto" is the first GPU and else the first device of any
     * kind; an index or part of a name picks that one. Throws naming the devices there are.
     */
    public static OpenCLDevice select(String spec) {
        List<OpenCLDevice> devices = all();
        if (devices.isEmpty()) {
            throw new IllegalStateException("no OpenCL device found: install a GPU driver's OpenCL ICD, or POCL "
                    + "(apt-get install pocl-opencl-icd ocl-icd-libopencl1) for the CPU, or use --backend cpu");
        }
        String s = spec == null ? "auto" : spec.trim();
        if (s.isEmpty() || s.equals("auto")) return firstGpu().orElse(devices.get(0));
        if (s.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(s);
            if (index >= devices.size())
                throw new IllegalArgumentException("--device " + s + ": there are " + describe(devices));
            return devices.get(index);
        }
        String wanted = s.toLowerCase(Locale.ROOT);
        return devices.stream()
                .filter(d -> d.getName().toLowerCase(Locale.ROOT).contains(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "--device " + s + " names no device: there are " + describe(devices)));
    }

    /** "vendor name, N compute units, X MiB global memory, max work-group W": what a start-up log line says. */
    public static String describe(OpenCLDevice d) {
        return d.getOpenCLPlatform().getVendor() + " " + d.getName() + " (" + d.getType() + "), "
                + d.getMaxComputeUnits()
                + " compute units, " + (d.getGlobalMemSize() >> 20) + " MiB global memory, "
                + (d.getLocalMemSize() >> 10)
                + " KiB local memory, max work-group " + d.getMaxWorkGroupSize();
    }

    private static String describe(List<OpenCLDevice> devices) {
        StringBuilder s = new StringBuilder(devices.size() + " device(s):");
        for (int i = 0; i < devices.size(); i++)
            s.append(" [").append(i).append("] ").append(devices.get(i).getName());
        return s.toString();
    }

    private OpenClDevices() {}
}
