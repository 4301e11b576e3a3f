package org.sparkbert.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;

/** `--backend` and `--device` on a machine whose only OpenCL device is POCL's CPU device. */
class BackendsTest {

    @Test
    void theTestMachineHasPoclAndNoGpu() {
        List<OpenCLDevice> all = OpenClDevices.all();
        assertTrue(
                all.stream().anyMatch(d -> d.getType() == Device.TYPE.CPU),
                "POCL's CPU device: install pocl-opencl-icd");
        assertTrue(OpenClDevices.firstGpu().isEmpty(), "this test assumes no GPU; with one, auto picks it");
    }

    @Test
    void namesPickBackends() {
        try (Backend cpu = Backends.create("cpu", "auto", 2)) {
            assertEquals("cpu", cpu.name());
        }
        try (Backend auto = Backends.create("auto", "auto", 2)) {
            assertEquals("cpu", auto.name(), "auto without a GPU is the cpu backend, not POCL");
        }
        try (Backend opencl = Backends.create("opencl", "auto", 2)) {
            assertInstanceOf(OpenClBackend.class, opencl, "opencl asked for explicitly runs on POCL");
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Backends.create("cuda", "auto", 1));
        assertTrue(e.getMessage().contains("cpu, opencl, auto"), e.getMessage());
    }

    @Test
    void devicesByIndexAndName() {
        List<OpenCLDevice> all = OpenClDevices.all();
        OpenCLDevice first = all.get(0);
        assertEquals(first.getDeviceId(), OpenClDevices.select("0").getDeviceId());
        String part = first.getName()
                .substring(0, Math.min(6, first.getName().length()))
                .toUpperCase(java.util.Locale.ROOT);
        assertEquals(first.getDeviceId(), OpenClDevices.select(part).getDeviceId(), "a name part, ignoring case");
        IllegalArgumentException index =
                assertThrows(IllegalArgumentException.class, () -> OpenClDevices.select("" + all.size()));
        assertTrue(index.getMessage().contains("[0] " + first.getName()), "lists the devices: " + index.getMessage());
        IllegalArgumentException name =
                assertThrows(IllegalArgumentException.class, () -> OpenClDevices.select("no-such-device-xyz"));
        assertTrue(name.getMessage().contains("names no device"), name.getMessage());
        assertTrue(OpenClDevices.describe(first).contains("compute units"), OpenClDevices.describe(first));
    }
}
