package org.sparkbert.engine.backend.opencl;

/**
 * What the opencl backend has done since it started: kernel launches and bytes put to and got from
 * the device (whole Aparapi buffers, which is what a transfer costs). Per-step figures are the
 * difference of two snapshots ({@link #minus}).
 */
public record DeviceCounters(long launches, long bytesToDevice, long bytesFromDevice) {

    public DeviceCounters minus(DeviceCounters earlier) {
        return new DeviceCounters(
                launches - earlier.launches,
                bytesToDevice - earlier.bytesToDevice,
                bytesFromDevice - earlier.bytesFromDevice);
    }
}
