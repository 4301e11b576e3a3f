package org.sparkbert.engine.collective;

/**
 * How many floats the receiving thread has finished in the current call, which the sending thread
 * waits on before forwarding them. Going through this monitor also publishes the reduced floats to
 * the sender. The receiver advances after every read, often by less than the sender waits for, so
 * it wakes the sender only once the count it waits for is reached.
 */
final class Progress {
    private long done;
    private long awaited = Long.MAX_VALUE;
    private boolean aborted;

    synchronized void reset() {
        done = 0;
        awaited = Long.MAX_VALUE;
        aborted = false;
    }

    synchronized void advanceTo(long count) {
        done = count;
        if (done >= awaited) {
            notifyAll();
        }
    }

    synchronized void abort() {
        aborted = true;
        notifyAll();
    }

    /**
     * Returns the count once it is at least {@code count}, or throws if the call was aborted
     * meanwhile.
     */
    synchronized long awaitAtLeast(long count) throws InterruptedException, AbortedException {
        awaited = count;
        while (done < count && !aborted) {
            wait();
        }
        awaited = Long.MAX_VALUE;
        if (aborted) {
            throw new AbortedException();
        }
        return done;
    }

    /** The other side of the call failed first; its exception is the one reported. */
    static final class AbortedException extends Exception {
        private static final long serialVersionUID = 1L;

        AbortedException() {
            super("all-reduce call aborted", null, false, false);
        }
    }
}
