package org.sparkbert.engine.collective;

/**
 * What one rank sends and receives in one ring all-reduce of {@code length} floats over {@code size}
 * ranks. The buffer is cut into {@code size} chunks (chunk c spans [length*c/size,
 * length*(c+1)/size)) and the call takes 2(size-1) steps. At step t the rank sends chunk (rank - t)
 * and receives chunk (rank - t - 1), mod size. Steps 0 .. size-2 are the reduce-scatter (the
 * received floats are added), steps size-1 .. 2size-3 the all-gather (they are copied): afterwards
 * rank r has held the finished sum of chunk r+1 and has copied every other chunk from its left
 * neighbour.
 *
 * <p>Chunk c is summed only once, on its way around the ring from rank c, always in the order
 * x[c] + x[c+1] + ... + x[c-1]; the all-gather only copies the result, so every rank ends with the
 * same bits, however the bytes are cut into reads and writes.
 *
 * <p>The chunk sent at step t > 0 is the one received at step t-1, so its first k floats may leave
 * as soon as the call has received {@link #receivedBefore(int) receivedBefore(t-1)} + k floats.
 */
final class RingSchedule {
    private final int rank;
    private final int size;
    private final int length;
    private final long[] receivedBeforeStep; // floats of the call received before each step starts

    RingSchedule(int rank, int size, int length) {
        this.rank = rank;
        this.size = size;
        this.length = length;
        this.receivedBeforeStep = new long[steps() + 1];
        for (int t = 0; t < steps(); t++) {
            receivedBeforeStep[t + 1] = receivedBeforeStep[t] + chunkLength(receiveChunk(t));
        }
    }

    int steps() {
        return 2 * (size - 1);
    }

    boolean isReduceStep(int step) {
        return step < size - 1;
    }

    int sendChunk(int step) {
        return Math.floorMod(rank - step, size);
    }

    int receiveChunk(int step) {
        return Math.floorMod(rank - step - 1, size);
    }

    int chunkStart(int chunk) {
        return (int) ((long) length * chunk / size);
    }

    int chunkLength(int chunk) {
        return chunkStart(chunk + 1) - chunkStart(chunk);
    }

    /** Floats of the call received when step {@code step} starts to receive. */
    long receivedBefore(int step) {
        return receivedBeforeStep[step];
    }
}
