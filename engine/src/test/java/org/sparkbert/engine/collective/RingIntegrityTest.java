package org.sparkbert.engine.collective;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Gradients are authenticated frame by frame, and a ring belongs to one stage attempt. */
class RingIntegrityTest {
  private static final RingConfig CONFIG = RingConfig.defaults().withTimeout(Duration.ofSeconds(20));

  @Test
  void aBitFlippedOnTheWireFailsTheCallInsteadOfCorruptingTheSum() throws Exception {
    JobSecret secret = JobSecret.generate();
    InProcessAddressExchange exchange = new InProcessAddressExchange(2, CONFIG.timeout());
    RingAllReduce[] rings = {new RingAllReduce(secret, CONFIG), new RingAllReduce(secret, CONFIG)};
    ExecutorService threads = Executors.newFixedThreadPool(2);
    // Byte 5000 of rank 0's stream to rank 1: past the handshake and the call header, inside the gradients.
    try (BitFlipProxy proxy = new BitFlipProxy(5000)) {
      List<Future<Object>> outcomes = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int rank = r;
        outcomes.add(threads.submit(() -> {
          try {
            AddressExchange mine = exchange.rank(rank);
            rings[rank].connect(rank == 0 ? viaProxy(mine, proxy) : mine);
            float[] gradient = new float[100_000];
            java.util.Arrays.fill(gradient, rank + 1);
            rings[rank].allReduce(gradient);
            return gradient;
          } catch (Exception e) {
            return e;
          }
        }));
      }
      Object atRank1 = outcomes.get(1).get(60, TimeUnit.SECONDS);
      Object atRank0 = outcomes.get(0).get(60, TimeUnit.SECONDS);
      assertTrue(proxy.flipped());
      PeerIntegrityException integrity = assertInstanceOf(PeerIntegrityException.class, atRank1);
      assertTrue(integrity.getMessage().startsWith("rank 0 at 127.0.0.1:"), integrity.getMessage());
      assertTrue(integrity.getMessage().contains("sent a frame that fails its MAC in all-reduce call 1 (step 1 of 2): "
          + "frame 1 of the connection, floats 0 to 16384"), integrity.getMessage());
      // Rank 0 loses its ring when rank 1 gives up: neither returns a sum.
      assertInstanceOf(PeerException.class, atRank0);
    } finally {
      threads.shutdownNow();
      rings[0].close();
      rings[1].close();
    }
  }

  @Test
  void aFrameReplayedOrReorderedFailsItsMac() {
    byte[] key = new byte[32];
    FrameMac sender = new FrameMac(key);
    byte[] first = {1, 2, 3, 4};
    byte[] second = {5, 6, 7, 8};
    ByteBuffer tags = ByteBuffer.allocate(2 * FrameMac.TAG_BYTES);
    sender.seal(first, 0, 4, tags);
    sender.seal(second, 0, 4, tags);
    byte[] tag = tags.array();

    FrameMac reordered = new FrameMac(key);
    assertFalse(reordered.verify(second, 0, 4, tag, FrameMac.TAG_BYTES), "the second frame taken first");

    FrameMac replayed = new FrameMac(key);
    assertTrue(replayed.verify(first, 0, 4, tag, 0));
    assertFalse(replayed.verify(first, 0, 4, tag, 0), "the first frame again");

    FrameMac otherConnection = new FrameMac(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
    assertFalse(otherConnection.verify(first, 0, 4, tag, 0), "a frame from another connection's key");
  }

  @Test
  void aRankOfAnotherStageAttemptIsRefused() throws Exception {
    JobSecret secret = JobSecret.generate();
    RingAllReduce[] rings = {new RingAllReduce(secret, CONFIG.withAttempt(0)),
        new RingAllReduce(secret, CONFIG.withAttempt(1))};
    InProcessAddressExchange exchange = new InProcessAddressExchange(2, CONFIG.timeout());
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<Object>> outcomes = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int rank = r;
        outcomes.add(threads.submit(() -> {
          try {
            rings[rank].connect(exchange.rank(rank));
            return "connected";
          } catch (Exception e) {
            return e;
          }
        }));
      }
      StringBuilder messages = new StringBuilder();
      for (Future<Object> outcome : outcomes) {
        messages.append(assertInstanceOf(PeerException.class, outcome.get(60, TimeUnit.SECONDS)).getMessage())
            .append('\n');
      }
      assertTrue(messages.toString().contains("from stage attempt 0 while this rank is in attempt 1")
          || messages.toString().contains("from stage attempt 1 while this rank is in attempt 0"), messages.toString());
    } finally {
      threads.shutdownNow();
      rings[0].close();
      rings[1].close();
    }
  }

  /** Rank 0's view of the ring, with rank 1 reached through the proxy. */
  private static AddressExchange viaProxy(AddressExchange mine, BitFlipProxy proxy) {
    return new AddressExchange() {
      @Override
      public int rank() {
        return mine.rank();
      }

      @Override
      public int size() {
        return mine.size();
      }

      @Override
      public String advertisedHost() {
        return mine.advertisedHost();
      }

      @Override
      public List<PeerAddress> allGather(PeerAddress address) throws java.io.IOException {
        List<PeerAddress> all = new ArrayList<>(mine.allGather(address));
        proxy.forwardTo(all.get(1));
        all.set(1, proxy.address());
        return all;
      }
    };
  }
}
