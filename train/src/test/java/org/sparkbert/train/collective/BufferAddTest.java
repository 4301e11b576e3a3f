package org.sparkbert.train.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class BufferAddTest {

  /** The vector lanes (this JVM has the module) and their scalar tail give each float's own sum. */
  @Test
  void addsEveryFloatAtAnyOffsetAndLengthAsAPlainLoopWould() {
    float[] incoming = TestBuffers.gaussian(3, 1, 1000);
    ByteBuffer bytes = ByteBuffer.allocateDirect(4 * (incoming.length + 3)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < incoming.length; i++) {
      bytes.putFloat(4 * (i + 3), incoming[i]);
    }
    for (int at : new int[] {0, 1, 7}) {
      for (int n : new int[] {0, 1, 15, 16, 17, 999 - at}) {
        float[] mine = TestBuffers.gaussian(3, 0, 1000);
        float[] expected = mine.clone();
        for (int i = 0; i < n; i++) {
          expected[at + i] += incoming[i];
        }
        BufferAdd.addInto(mine, at, bytes, 4 * 3, n);
        assertArrayEquals(expected, mine, "at " + at + ", " + n + " floats");
      }
    }
  }
}
