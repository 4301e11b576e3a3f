package org.sparkbert.engine.collective;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy for one connection that flips one bit of the stream from the connecting side, at a
 * given byte offset from its start: the wire fault a MAC must catch. Threads of this JVM.
 */
final class BitFlipProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final long flipAt;
    private final AtomicBoolean flipped = new AtomicBoolean();
    private volatile PeerAddress target;

    BitFlipProxy(long flipAt) throws IOException {
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.flipAt = flipAt;
        Thread thread = new Thread(this::serveOne, "bit-flip-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    PeerAddress address() {
        return new PeerAddress("127.0.0.1", listener.getLocalPort());
    }

    /** Where the connection goes; set before anyone connects to {@link #address()}. */
    void forwardTo(PeerAddress address) {
        target = address;
    }

    boolean flipped() {
        return flipped.get();
    }

    private void serveOne() {
        try (Socket in = listener.accept();
                Socket out = new Socket()) {
            out.connect(new InetSocketAddress(target.host(), target.port()));
            Thread back = new Thread(() -> pump(out, in, Long.MAX_VALUE), "bit-flip-proxy-back");
            back.setDaemon(true);
            back.start();
            pump(in, out, flipAt);
            back.join();
        } catch (IOException | InterruptedException e) {
            // The ring closed the connection: the proxy's work is over.
        }
    }

    private void pump(Socket from, Socket to, long flipOffset) {
        byte[] buffer = new byte[8192];
        long position = 0;
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; position += n) {
                if (flipOffset >= position && flipOffset < position + n) {
                    buffer[(int) (flipOffset - position)] ^= 0x10;
                    flipped.set(true);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // One side closed: close the other too (try-with-resources), as a real connection would end.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
