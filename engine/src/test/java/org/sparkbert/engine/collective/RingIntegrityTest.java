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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Gradients are checked frame by frame, with either check, and a ring belongs to one stage attempt. */
class RingIntegrityTest {
    private static final RingConfig CONFIG = RingConfig.defaults().withTimeout(Duration.ofSeconds(20));

    @ParameterizedTest
    @EnumSource(FrameIntegrity.class)
    void aBitFlippedOnTheWireFailsTheCallInsteadOfCorruptingTheSum(FrameIntegrity integrity) throws Exception {
        JobSecret secret = JobSecret.generate();
        RingConfig config = CONFIG.withIntegrity(integrity);
        InProcessAddressExchange exchange = new InProcessAddressExchange(2, CONFIG.timeout());
        RingAllReduce[] rings = {new RingAllReduce(secret, config), new RingAllReduce(secret, config)};
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
            PeerIntegrityException failure = assertInstanceOf(PeerIntegrityException.class, atRank1);
            assertTrue(failure.getMessage().startsWith("rank 0 at 127.0.0.1:"), failure.getMessage());
            assertTrue(
                    failure.getMessage()
                            .contains(
                                    "sent a frame that fails its " + integrity.label()
                                            + " check in all-reduce call 1 (step 1 of 2): frame 1 of the connection, floats 0 to 16384"),
                    failure.getMessage());
            // Rank 0 loses its ring when rank 1 gives up: neither returns a sum.
            assertInstanceOf(PeerException.class, atRank0);
        } finally {
            threads.shutdownNow();
            rings[0].close();
            rings[1].close();
        }
    }

    @ParameterizedTest
    @EnumSource(FrameIntegrity.class)
    void aFrameReplayedOrReorderedFailsItsCheck(FrameIntegrity integrity) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 3);
        FrameCheck sender = integrity.open(key);
        int tagBytes = integrity.tagBytes();
        byte[] first = {1, 2, 3, 4};
        byte[] second = {5, 6, 7, 8};
        ByteBuffer tags = ByteBuffer.allocate(2 * tagBytes);
        sender.seal(first, 0, 4, tags);
        sender.seal(second, 0, 4, tags);
        byte[] tag = tags.array();

        FrameCheck inOrder = integrity.open(key);
        assertTrue(inOrder.verify(first, 0, 4, tag, 0), "the first frame");
        assertTrue(inOrder.verify(second, 0, 4, tag, tagBytes), "the second frame");

        FrameCheck reordered = integrity.open(key);
        assertFalse(reordered.verify(second, 0, 4, tag, tagBytes), "the second frame taken first");

        FrameCheck replayed = integrity.open(key);
        assertTrue(replayed.verify(first, 0, 4, tag, 0));
        assertFalse(replayed.verify(first, 0, 4, tag, 0), "the first frame again");

        byte[] otherKey = key.clone();
        otherKey[0] ^= 1;
        FrameCheck otherConnection = integrity.open(otherKey);
        assertFalse(otherConnection.verify(first, 0, 4, tag, 0), "a frame from another connection's key");
    }

    /**
     * The CRC's promise, with java.util.zip.CRC32C as the oracle of the tag: every single flipped bit
     * of a frame (4 KiB here, to keep the test short; a CRC catches one flipped bit at any length) and
     * of its tag fails the check.
     */
    @Test
    void everySingleBitFlipOfAChecksummedFrameFails() {
        byte[] key = new byte[32];
        new java.util.Random(7).nextBytes(key);
        byte[] frame = new byte[4096];
        new java.util.Random(8).nextBytes(frame);
        ByteBuffer sealed = ByteBuffer.allocate(FrameChecksum.TAG_BYTES);
        new FrameChecksum(key).seal(frame, 0, frame.length, sealed);
        byte[] tag = sealed.array();

        java.util.zip.CRC32C oracle = new java.util.zip.CRC32C();
        oracle.update(key, 0, Long.BYTES);
        oracle.update(new byte[Long.BYTES]); // sequence number 0
        oracle.update(frame);
        assertTrue(ByteBuffer.wrap(tag).getInt() == (int) oracle.getValue(), "the tag is the CRC-32C");

        FrameChecksum check = new FrameChecksum(key);
        byte[] expected = new byte[FrameChecksum.TAG_BYTES];
        int missed = 0;
        for (int bit = 0; bit < 8 * (frame.length + tag.length); bit++) {
            boolean inFrame = bit < 8 * frame.length;
            byte[] target = inFrame ? frame : tag;
            int at = inFrame ? bit : bit - 8 * frame.length;
            target[at >>> 3] ^= (byte) (1 << (at & 7));
            check.tag(0, frame, 0, frame.length, expected); // what frame 0 with these bytes would carry
            if (java.util.Arrays.equals(expected, tag)) {
                missed++;
            }
            target[at >>> 3] ^= (byte) (1 << (at & 7));
        }
        assertTrue(missed == 0, missed + " single-bit flips passed the CRC");
    }

    @Test
    void ranksCheckingFramesDifferentlyAreRefused() throws Exception {
        JobSecret secret = JobSecret.generate();
        RingAllReduce[] rings = {
            new RingAllReduce(secret, CONFIG.withIntegrity(FrameIntegrity.CRC32C)),
            new RingAllReduce(secret, CONFIG.withIntegrity(FrameIntegrity.HMAC_SHA256))
        };
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
                messages.append(assertInstanceOf(PeerException.class, outcome.get(60, TimeUnit.SECONDS))
                                .getMessage())
                        .append('\n');
            }
            assertTrue(
                    messages.toString().contains("checking frames with hmac-sha256 while this rank uses crc32c")
                            || messages.toString()
                                    .contains("checking frames with crc32c while this rank uses hmac-sha256"),
                    messages.toString());
        } finally {
            threads.shutdownNow();
            rings[0].close();
            rings[1].close();
        }
    }

    @Test
    void aRankOfAnotherStageAttemptIsRefused() throws Exception {
        JobSecret secret = JobSecret.generate();
        RingAllReduce[] rings = {
            new RingAllReduce(secret, CONFIG.withAttempt(0)), new RingAllReduce(secret, CONFIG.withAttempt(1))
        };
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
                messages.append(assertInstanceOf(PeerException.class, outcome.get(60, TimeUnit.SECONDS))
                                .getMessage())
                        .append('\n');
            }
            assertTrue(
                    messages.toString().contains("from stage attempt 0 while this rank is in attempt 1")
                            || messages.toString().contains("from stage attempt 1 while this rank is in attempt 0"),
                    messages.toString());
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
