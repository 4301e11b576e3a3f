package org.sparkbert.engine.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Strangers at a rank's port and peers that never finish the handshake: bounded, never a hang. */
class RingStrangerTest {

    @Test
    void strangersThatConnectFirstDoNotKeepTheRealPeerOut() throws Exception {
        RingConfig config = RingConfig.defaults().withTimeout(Duration.ofSeconds(30));
        JobSecret secret = JobSecret.generate();
        InProcessAddressExchange exchange = new InProcessAddressExchange(2, config.timeout());
        RingAllReduce[] rings = {new RingAllReduce(secret, config), new RingAllReduce(secret, config)};
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch strangersIn = new CountDownLatch(1);
        List<Socket> strangers = new ArrayList<>();
        try {
            List<Future<float[]>> sums = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                sums.add(threads.submit(() -> {
                    AddressExchange mine = exchange.rank(rank);
                    rings[rank].connect(new Delegating(mine) {
                        @Override
                        public List<PeerAddress> allGather(PeerAddress address) throws IOException {
                            List<PeerAddress> all = mine.allGather(address);
                            if (rank == 0) {
                                // Before rank 0 connects, three strangers reach rank 1's port: one sends garbage, one
                                // sends nothing, one sends half a greeting and stops.
                                PeerAddress target = all.get(1);
                                for (String says :
                                        new String[] {"GET / HTTP/1.1\r\n\r\n" + ".".repeat(60), "", "SBAR"}) {
                                    Socket stranger = new Socket(target.host(), target.port());
                                    stranger.getOutputStream().write(says.getBytes(StandardCharsets.US_ASCII));
                                    strangers.add(stranger);
                                }
                                strangersIn.countDown();
                            }
                            return all;
                        }
                    });
                    float[] gradient = new float[50_000];
                    java.util.Arrays.fill(gradient, rank + 1);
                    rings[rank].allReduce(gradient);
                    return gradient;
                }));
            }
            float[] expected = new float[50_000];
            java.util.Arrays.fill(expected, 3);
            for (Future<float[]> sum : sums) {
                assertArrayEquals(expected, sum.get(60, TimeUnit.SECONDS));
            }
            assertTrue(strangersIn.await(0, TimeUnit.SECONDS));
            // Once the real peer is in, rank 1 has dropped every stranger.
            for (Socket stranger : strangers) {
                stranger.setSoTimeout(30_000);
                assertEquals(-1, readPastGarbage(stranger), "a stranger's connection stayed open");
            }
        } finally {
            threads.shutdownNow();
            rings[0].close();
            rings[1].close();
            for (Socket stranger : strangers) {
                stranger.close();
            }
        }
    }

    @Test
    void aPeerThatTricklesItsHandshakeFailsAtTheConnectDeadline() throws Exception {
        // Every byte comes well within the per-read timeout, so only the overall deadline ends it.
        RingConfig config = RingConfig.defaults().withTimeout(Duration.ofSeconds(2));
        JobSecret secret = JobSecret.generate();
        InProcessAddressExchange exchange = new InProcessAddressExchange(2, Duration.ofSeconds(30));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (RingAllReduce ring = new RingAllReduce(secret, config);
                ServerSocket tricklingRank1 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            threads.submit(() -> trickle(tricklingRank1));
            long start = System.nanoTime();
            Future<Object> rank0 = threads.submit(() -> {
                try {
                    ring.connect(exchange.rank(0));
                    return "connected";
                } catch (Exception e) {
                    return e;
                }
            });
            List<PeerAddress> all =
                    exchange.rank(1).allGather(new PeerAddress("127.0.0.1", tricklingRank1.getLocalPort()));
            try (Socket slowConnector = new Socket(all.get(0).host(), all.get(0).port())) {
                OutputStream out = slowConnector.getOutputStream();
                Object outcome = rank0.get(60, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - start) / 1e9;
                PeerTimeoutException timeout = assertInstanceOf(PeerTimeoutException.class, outcome);
                // Either side may reach the deadline first: the trickled handshake out, or the silent one in.
                assertTrue(
                        timeout.getMessage()
                                .contains(
                                        "before the ring's connect deadline (2000 ms after the address " + "exchange)"),
                        timeout.getMessage());
                assertTrue(seconds < 20, "took " + seconds + " s");
                out.flush();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Accepts one connection and sends it a byte every 300 ms, forever or until it closes. */
    private static Void trickle(ServerSocket listener) throws Exception {
        try (Socket peer = listener.accept()) {
            OutputStream out = peer.getOutputStream();
            while (true) {
                out.write(0);
                out.flush();
                Thread.sleep(300);
            }
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** -1 once the other end has closed (a reset counts: it closed with the stranger's bytes unread). */
    private static int readPastGarbage(Socket socket) throws IOException {
        try {
            while (socket.getInputStream().read() >= 0) {
                // The refusal may follow a reply: read past it.
            }
        } catch (java.net.SocketException e) {
            if (!String.valueOf(e.getMessage()).contains("reset")) {
                throw e;
            }
        }
        return -1;
    }

    /** An exchange that passes everything to another; override what differs. */
    private static class Delegating implements AddressExchange {
        private final AddressExchange inner;

        Delegating(AddressExchange inner) {
            this.inner = inner;
        }

        @Override
        public int rank() {
            return inner.rank();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public String advertisedHost() {
            return inner.advertisedHost();
        }

        @Override
        public List<PeerAddress> allGather(PeerAddress mine) throws IOException {
            return inner.allGather(mine);
        }
    }
}
