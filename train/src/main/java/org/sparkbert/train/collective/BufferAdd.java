package org.sparkbert.train.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code dst[at + i] += src[i]} for floats that arrived in a little-endian direct buffer: how the
 * reduce-scatter adds a neighbour's floats to its own without first copying them out of the socket
 * buffer. The sum is elementwise, so the lane width changes no bit of the result.
 *
 * <p>With the Vector API this runs at memory speed; a plain loop runs three times slower, because
 * C2 (JDK 17) cannot vectorise a loop over two float arrays it cannot prove apart, nor one that
 * reads a buffer. The Vector API is an incubator module: a JVM started without {@code --add-modules
 * jdk.incubator.vector} gets the plain loop, with the same bits.
 */
final class BufferAdd {
  private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private BufferAdd() {}

  /** Adds the {@code n} floats that start at byte {@code srcByte} of {@code src} into {@code dst[at ..]}. */
  static void addInto(float[] dst, int at, ByteBuffer src, int srcByte, int n) {
    if (VECTOR_API) {
      Lanes.addInto(dst, at, src, srcByte, n);
    } else {
      for (int i = 0; i < n; i++) {
        dst[at + i] += src.getFloat(srcByte + i * Float.BYTES);
      }
    }
  }

  /** Loaded only where the module is, so that BufferAdd itself loads everywhere. */
  private static final class Lanes {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    static void addInto(float[] dst, int at, ByteBuffer src, int srcByte, int n) {
      int i = 0;
      for (int whole = SPECIES.loopBound(n); i < whole; i += SPECIES.length()) {
        FloatVector mine = FloatVector.fromArray(SPECIES, dst, at + i);
        FloatVector theirs = FloatVector.fromByteBuffer(SPECIES, src, srcByte + i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
        mine.add(theirs).intoArray(dst, at + i);
      }
      for (; i < n; i++) {
        dst[at + i] += src.getFloat(srcByte + i * Float.BYTES);
      }
    }
  }
}
