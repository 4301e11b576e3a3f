package org.sparkbert.engine.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RingAuthenticationTest {
    private static final RingConfig CONFIG = RingConfig.defaults().withTimeout(Duration.ofSeconds(20));
    /** For a rank that waits out its connect deadline: it keeps accepting after refusing a stranger. */
    private static final RingConfig SHORT = RingConfig.defaults().withTimeout(Duration.ofSeconds(3));

    @Test
    void aPeerWithAnotherSecretIsRefusedByTheRankItConnectsTo() throws Exception {
        JobSecret secret = JobSecret.generate();
        JobSecret wrong = JobSecret.generate();
        InProcessAddressExchange exchange = new InProcessAddressExchange(2, CONFIG.timeout());
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try (RingAllReduce ring = new RingAllReduce(secret, SHORT);
                ServerSocket silentRank1 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<Object> rank0 = threads.submit(() -> connectOutcome(ring, exchange.rank(0)));
            // The test is rank 1, speaking the protocol faithfully but holding another job's secret.
            List<PeerAddress> all =
                    exchange.rank(1).allGather(new PeerAddress("127.0.0.1", silentRank1.getLocalPort()));
            SocketChannel channel = SocketChannel.open(all.get(0).socketAddress());
            String impostor = "127.0.0.1:" + ((InetSocketAddress) channel.getLocalAddress()).getPort();
            try (Link link = new Link(channel, 0, 20_000)) {
                PeerException seenByImpostor =
                        assertThrows(PeerException.class, () -> Handshake.asConnector(link, wrong, CONFIG, 1, 0, 2));
                assertTrue(
                        seenByImpostor.getMessage().contains("closed the connection during authentication"),
                        seenByImpostor.getMessage());
            }
            PeerAuthenticationException refusal =
                    assertInstanceOf(PeerAuthenticationException.class, rank0.get(60, TimeUnit.SECONDS));
            assertEquals(impostor, refusal.peerAddress());
            assertTrue(
                    refusal.getMessage()
                            .startsWith("peer at " + impostor + " was refused: it failed authentication: it does "
                                    + "not hold this job's secret; rank 1 (published at 127.0.0.1:"),
                    refusal.getMessage());
            assertTrue(
                    refusal.getMessage()
                            .endsWith("did not connect and authenticate before the ring's connect deadline "
                                    + "(3000 ms after the address exchange)"),
                    refusal.getMessage());
            assertSecretsAbsent(refusal, secret, wrong);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void everyRankOfARingWithOneWrongSecretFailsAndNamesAPeer() throws Exception {
        JobSecret secret = JobSecret.generate();
        JobSecret wrong = JobSecret.generate();
        RingAllReduce[] rings = {new RingAllReduce(secret, CONFIG), new RingAllReduce(wrong, CONFIG)};
        InProcessAddressExchange exchange = new InProcessAddressExchange(2, CONFIG.timeout());
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Object>> outcomes = List.of(
                    threads.submit(() -> connectOutcome(rings[0], exchange.rank(0))),
                    threads.submit(() -> connectOutcome(rings[1], exchange.rank(1))));
            for (Future<Object> outcome : outcomes) {
                PeerException failure = assertInstanceOf(PeerException.class, outcome.get(60, TimeUnit.SECONDS));
                assertTrue(failure.getMessage().contains("127.0.0.1:"), failure.getMessage());
                // Whichever link a rank fails on first, its message points at the secrets.
                assertTrue(
                        failure.getMessage().contains("job's secret")
                                || failure.getMessage().contains("same job secret"),
                        failure.getMessage());
                assertSecretsAbsent(failure, secret, wrong);
            }
        } finally {
            threads.shutdownNow();
            rings[0].close();
            rings[1].close();
        }
    }

    @Test
    void aStrangerWithoutTheSecretIsRefusedAndItsAddressNamed() throws Exception {
        JobSecret secret = JobSecret.generate();
        InProcessAddressExchange exchange = new InProcessAddressExchange(2, CONFIG.timeout());
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try (RingAllReduce ring = new RingAllReduce(secret, SHORT);
                ServerSocket silentRank1 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<Object> rank0 = threads.submit(() -> connectOutcome(ring, exchange.rank(0)));
            // The test stands in for rank 1: it publishes a listener that never answers, then connects
            // to rank 0 and talks nonsense instead of proving the secret.
            List<PeerAddress> all =
                    exchange.rank(1).allGather(new PeerAddress("127.0.0.1", silentRank1.getLocalPort()));
            try (Socket stranger = new Socket(all.get(0).host(), all.get(0).port())) {
                OutputStream out = stranger.getOutputStream();
                // Exactly a greeting's length, so the refusal closes a connection with nothing left unread.
                out.write("GET / HTTP/1.1\r\nHost: ring\r\n\r\n.............................."
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                PeerAuthenticationException refusal =
                        assertInstanceOf(PeerAuthenticationException.class, rank0.get(60, TimeUnit.SECONDS));
                assertEquals(-1, refusal.peerRank());
                assertEquals("127.0.0.1:" + stranger.getLocalPort(), refusal.peerAddress());
                assertTrue(refusal.getMessage().contains("127.0.0.1:" + stranger.getLocalPort()), refusal.getMessage());
                assertEquals(-1, stranger.getInputStream().read(), "the refused stranger got data");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theSecretNeverPrintsAndRoundTripsThroughBase64() {
        JobSecret secret = JobSecret.generate();
        assertFalse(secret.toString().contains(secret.toBase64()));
        assertEquals("JobSecret(redacted)", secret.toString());
        JobSecret copy = JobSecret.fromBase64(secret.toBase64());
        assertEquals(
                java.util.HexFormat.of().formatHex(secret.mac(new byte[] {1})),
                java.util.HexFormat.of().formatHex(copy.mac(new byte[] {1})));
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> JobSecret.fromBase64("not*base64!"));
        assertFalse(bad.getMessage().contains("not*base64!"));
    }

    @Test
    void hmacIsTheStandardHmacSha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". The key is padded to
        // the 16 bytes a job secret needs with the decoder's help: HMAC keys shorter than the block
        // size are zero-padded, so "Jefe" and "Jefe" + 12 zero bytes are the same key.
        byte[] key = java.util.Arrays.copyOf("Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 16);
        JobSecret jefe = JobSecret.fromBase64(java.util.Base64.getEncoder().encodeToString(key));
        byte[] mac = jefe.mac(
                "what do ya want ".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "for nothing?".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                java.util.HexFormat.of().formatHex(mac));
    }

    private static Object connectOutcome(RingAllReduce ring, AddressExchange exchange) {
        try {
            ring.connect(exchange);
            return "connected";
        } catch (Exception e) {
            return e;
        }
    }

    private static void assertSecretsAbsent(Throwable failure, JobSecret... secrets) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (JobSecret secret : secrets) {
                assertFalse(String.valueOf(t.getMessage()).contains(secret.toBase64()), "secret in message");
                assertFalse(
                        String.valueOf(t.getMessage())
                                .contains(java.util.HexFormat.of()
                                        .formatHex(java.util.Base64.getDecoder().decode(secret.toBase64()))),
                        "secret in message");
            }
        }
    }
}
