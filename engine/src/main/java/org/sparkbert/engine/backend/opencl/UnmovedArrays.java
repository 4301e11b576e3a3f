package org.sparkbert.engine.backend.opencl;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * How long an array must be for the garbage collector never to move it. Aparapi rebuilds a
 * device buffer from the host array when the array moved in memory between two executions, which
 * would replace device-resident state (weights, moments, activations) with a stale host copy. G1
 * never moves humongous objects (at least half a region), so arrays that hold device-only state are
 * made at least one G1 region long.
 */
final class UnmovedArrays {

    /** The minimum length, in 4-byte elements, of an array that must stay where it is. */
    static int minimumLength() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (!Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) {
            throw new IllegalStateException(
                    "the opencl backend needs the G1 garbage collector (-XX:+UseG1GC, the default on "
                            + "Java 17): with another collector device-resident buffers can be rebuilt from stale host arrays");
        }
        long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
        return (int) Math.max(1 << 18, region / 4);
    }

    private UnmovedArrays() {}
}
