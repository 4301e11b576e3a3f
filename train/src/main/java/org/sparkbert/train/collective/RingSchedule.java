package org.sparkbert.train.collective;

/**
 * What one rank sends and receives in one ring all-reduce of {@code length} floats over {@code size}
 * ranks. The buffer is cut into {@code size} chunks (chunk c spans [length*c/size,
 * length*(c+1)/size)) and the call takes 2(size-1) steps. At step t the rank sends chunk (rank - t)
 * and receives chunk (rank - t - 1), mod size. Steps 0 .. size-2 are the reduce-scatter (the
 * received piece is added), steps size-1 .. 2size-3 the all-gather (it is copied): afterwards rank r
 * has held the finished sum of chunk r+1 and has copied every other chunk from its left neighbour.
 *
 * <p>Chunk c is summed only once, on its way around the ring from rank c, always in the order
 * x[c] + x[c+1] + ... + x[c-1]; the all-gather only copies the result, so every rank ends with the
 * same bits.
 *
 * <p>Each chunk moves in pieces of at most {@code pieceFloats}. The piece sent at step t > 0 is the
 * piece received at step t-1, so it may leave as soon as that one piece has arrived: {@link
 * #receivedBeforeSend(int, int)} says how many received pieces must be done first.
 */
final class RingSchedule {
  private final int rank;
  private final int size;
  private final int length;
  private final int pieceFloats;
  private final int[] stepFirstPiece; // index of a step's first piece, in the order pieces are received

  RingSchedule(int rank, int size, int length, int pieceFloats) {
    this.rank = rank;
    this.size = size;
    this.length = length;
    this.pieceFloats = pieceFloats;
    this.stepFirstPiece = new int[steps() + 1];
    for (int t = 0; t < steps(); t++) {
      stepFirstPiece[t + 1] = stepFirstPiece[t] + piecesOf(receiveChunk(t));
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

  int piecesOf(int chunk) {
    return (chunkLength(chunk) + pieceFloats - 1) / pieceFloats;
  }

  /** Start of piece {@code piece} of {@code chunk}, relative to the all-reduced range. */
  int pieceStart(int chunk, int piece) {
    return chunkStart(chunk) + piece * pieceFloats;
  }

  int pieceLength(int chunk, int piece) {
    return Math.min(pieceFloats, chunkLength(chunk) - piece * pieceFloats);
  }

  /** How many pieces must have been received (and reduced) before piece {@code piece} of step {@code step} can go. */
  int receivedBeforeSend(int step, int piece) {
    return step == 0 ? 0 : stepFirstPiece[step - 1] + piece + 1;
  }
}
