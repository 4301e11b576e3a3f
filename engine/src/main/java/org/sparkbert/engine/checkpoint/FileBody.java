package org.sparkbert.engine.checkpoint;

import java.io.IOException;
import java.io.OutputStream;

/** The content of one file of a checkpoint, written on demand into the stream it is given. */
@FunctionalInterface
public interface FileBody {
    void writeTo(OutputStream out) throws IOException;
}
