package org.sparkbert.evaluate.perplexity;

import java.io.Serializable;
import org.sparkbert.engine.backend.Backend;
import org.sparkbert.engine.backend.Backends;
import picocli.CommandLine.Option;

/**
 * Which engine backend evaluation runs on, as training chooses it (--backend, --device): a picocli
 * mixin for the evaluate commands, and serializable so that Spark tasks open the same backend on
 * their executor with the threads they were given.
 */
public final class BackendChoice implements Serializable {
    private static final long serialVersionUID = 1L;

    @Option(
            names = "--backend",
            defaultValue = "cpu",
            paramLabel = "NAME",
            description = "Compute backend: cpu, opencl (Aparapi kernels on --device) or auto (the first OpenCL GPU,"
                    + " else cpu). Default: ${DEFAULT-VALUE}.")
    String backend = "cpu";

    @Option(
            names = "--device",
            defaultValue = "auto",
            paramLabel = "INDEX|NAME",
            description = "OpenCL device for --backend opencl|auto: an index, part of a name, or auto (the first GPU,"
                    + " else the first OpenCL device). Default: ${DEFAULT-VALUE}.")
    String device = "auto";

    public BackendChoice() {}

    private BackendChoice(String backend, String device) {
        this.backend = backend;
        this.device = device;
    }

    /** The plain Java backend. */
    public static BackendChoice cpu() {
        return new BackendChoice("cpu", "auto");
    }

    public static BackendChoice of(String backend, String device) {
        return new BackendChoice(backend, device);
    }

    /** A backend of this kind with {@code threads} compute threads, from the engine's one factory. */
    public Backend open(int threads) {
        return Backends.create(backend, device, threads);
    }

    public String backend() {
        return backend;
    }

    public String device() {
        return device;
    }

    @Override
    public String toString() {
        return backend + (backend.equals("cpu") ? "" : " (device " + device + ")");
    }
}
