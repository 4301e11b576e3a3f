package org.sparkbert.bench.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.sparkbert.engine.collective.AddressExchange;
import org.sparkbert.engine.collective.PeerAddress;
import org.sparkbert.engine.collective.RingConfig;

/**
 * The benchmark's yardstick: the plainest way to move a float array from one JVM into an array in
 * another over one TCP connection, with the ring's socket options: put a 1 MiB piece into a direct
 * buffer, blocking write; blocking read, get the piece out. No authentication, no arithmetic, no
 * pipelining across steps. Between rank 0 and rank 1 of a two-rank exchange. A stream needs no
 * small pieces, and 1 MiB measured faster than the ring's 64 KiB for it.
 */
final class PlainCopy implements AutoCloseable {
    private static final int PIECE_BYTES = 1 << 20;

    private final SocketChannel channel;
    private final ByteBuffer outBytes;
    private final FloatBuffer outFloats;
    private final ByteBuffer inBytes;
    private final FloatBuffer inFloats;
    private final ByteBuffer oneByte = ByteBuffer.allocateDirect(1);
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "plain-copy-writer");
        thread.setDaemon(true);
        return thread;
    });

    private PlainCopy(SocketChannel channel) {
        this.channel = channel;
        this.outBytes = ByteBuffer.allocateDirect(PIECE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        this.outFloats = outBytes.asFloatBuffer();
        this.inBytes = ByteBuffer.allocateDirect(PIECE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        this.inFloats = inBytes.asFloatBuffer();
    }

    /** Rank 1 listens, rank 0 connects; both publish an address so the exchange's rounds stay in step. */
    static PlainCopy connect(AddressExchange exchange, RingConfig config) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            config.applyTo(server);
            server.bind(new InetSocketAddress(exchange.advertisedHost(), 0), 1);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            List<PeerAddress> all = exchange.allGather(new PeerAddress(exchange.advertisedHost(), port));
            SocketChannel channel;
            if (exchange.rank() == 0) {
                channel = SocketChannel.open();
                config.applyTo(channel);
                channel.connect(
                        new InetSocketAddress(all.get(1).host(), all.get(1).port()));
            } else {
                channel = server.accept();
                config.applyTo(channel);
            }
            return new PlainCopy(channel);
        }
    }

    void send(float[] data) throws IOException {
        int pieceFloats = outFloats.capacity();
        for (int start = 0; start < data.length; start += pieceFloats) {
            int n = Math.min(pieceFloats, data.length - start);
            outFloats.clear();
            outFloats.put(data, start, n);
            outBytes.clear().limit(n * Float.BYTES);
            while (outBytes.hasRemaining()) {
                channel.write(outBytes);
            }
        }
    }

    void receive(float[] into) throws IOException {
        int pieceFloats = inFloats.capacity();
        for (int start = 0; start < into.length; start += pieceFloats) {
            int n = Math.min(pieceFloats, into.length - start);
            inBytes.clear().limit(n * Float.BYTES);
            while (inBytes.hasRemaining()) {
                if (channel.read(inBytes) < 0) {
                    throw new IOException("the other rank closed the plain-copy connection");
                }
            }
            inFloats.clear();
            inFloats.get(into, start, n);
        }
    }

    /** Sends {@code data} and receives as many floats into {@code into} at the same time. */
    void exchange(float[] data, float[] into) throws IOException {
        Future<?> sending = writer.submit(() -> {
            send(data);
            return null;
        });
        receive(into);
        try {
            sending.get();
        } catch (ExecutionException e) {
            throw new IOException("sending failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    void sendAck() throws IOException {
        oneByte.clear();
        channel.write(oneByte);
    }

    void awaitAck() throws IOException {
        oneByte.clear();
        if (channel.read(oneByte) < 0) {
            throw new IOException("the other rank closed the plain-copy connection");
        }
    }

    @Override
    public void close() throws IOException {
        writer.shutdownNow();
        channel.close();
    }
}
