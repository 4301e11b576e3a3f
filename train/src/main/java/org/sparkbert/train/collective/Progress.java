package org.sparkbert.train.collective;

/**
 * Count of pieces the receiving thread has finished in the current call, which the sending thread
 * waits on before forwarding a piece. Going through this monitor also publishes the reduced floats
 * to the sender.
 */
final class Progress {
  private int done;
  private boolean aborted;

  synchronized void reset() {
    done = 0;
    aborted = false;
  }

  synchronized void advance() {
    done++;
    notifyAll();
  }

  synchronized void abort() {
    aborted = true;
    notifyAll();
  }

  /** Returns once {@code count} pieces are done, or throws if the call was aborted meanwhile. */
  synchronized void awaitAtLeast(int count) throws InterruptedException, AbortedException {
    while (done < count && !aborted) {
      wait();
    }
    if (aborted) {
      throw new AbortedException();
    }
  }

  /** The other side of the call failed first; its exception is the one reported. */
  static final class AbortedException extends Exception {
    private static final long serialVersionUID = 1L;

    AbortedException() {
      super("all-reduce call aborted", null, false, false);
    }
  }
}
