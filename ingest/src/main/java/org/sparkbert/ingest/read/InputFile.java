package org.sparkbert.ingest.read;

import java.io.Serializable;

/**
 * An input file as listed on the driver: its fully qualified path, its size, and its index in the
 * sorted list of this run's inputs (which makes every record's internal key unique and stable).
 */
public final class InputFile implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String path;
    public final long size;
    public final int index;

    public InputFile(String path, long size, int index) {
        this.path = path;
        this.size = size;
        this.index = index;
    }

    @Override
    public String toString() {
        return path + " (" + size + " bytes)";
    }
}
