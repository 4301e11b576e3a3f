package org.sparkbert.engine.collective;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sums float buffers across the ranks of a ring, bandwidth-optimally: a reduce-scatter then an
 * all-gather over TCP, each rank sending about 2(N-1)/N of the buffer per call (see {@link
 * RingSchedule} for the order, which makes every rank's result bit-identical).
 *
 * <p>Rank r keeps two connections for its life: one it opened to rank r+1 (written by a sender
 * thread) and one it accepted from rank r-1 (read by the calling thread), so sending and receiving
 * overlap. The receiver adds (or copies) each read's floats straight from the socket's direct
 * buffer as soon as they arrive; the sender forwards them once a piece of {@link
 * RingConfig#subChunkBytes()} has arrived, or as much as has arrived if it is behind: small pieces
 * pipeline the steps, large writes and reads (up to {@link #IO_BYTES}) keep the system calls few.
 * Both connections are authenticated with the job secret, and every piece that travels on them is
 * a frame with a tag keyed from the connection's handshake ({@link FrameCheck}; a CRC-32C or an
 * HMAC-SHA256, {@link RingConfig#integrity()}): the receiver adds a piece only once its tag checks,
 * and a piece that fails ends the call with a {@link PeerIntegrityException} instead of a wrong sum. Any read, write, connect or accept that
 * makes no progress for {@link RingConfig#timeout()} fails with a {@link PeerException} naming the
 * peer; after a failure the ring is broken and only {@link #close()} remains.
 *
 * <pre>
 *   try (RingAllReduce ring = new RingAllReduce(secret, RingConfig.defaults())) {
 *     ring.connect(new BarrierAddressExchange(BarrierTaskContext.get()));
 *     for (...) { ring.allReduce(gradients, 0, gradients.length); }
 *   }
 * </pre>
 *
 * One call at a time: all ranks must make the same calls with the same lengths in the same order
 * (a mismatch is detected and reported, not summed).
 */
public final class RingAllReduce implements AutoCloseable {
    private enum State {
        NEW,
        CONNECTED,
        BROKEN,
        CLOSED
    }

    /**
     * The most one read or write moves, as in the plain copy the benchmark compares with: a system
     * call costs about as much as copying tens of kilobytes, and with one per 64 KiB piece the ring
     * spent 1.5x the CPU of a plain exchange of the same bytes (docs/BENCHMARKS.md, All-reduce).
     */
    public static final int IO_BYTES = 1 << 20;

    private final JobSecret secret;
    private final RingConfig config;
    private final Progress progress = new Progress();

    private volatile State state = State.NEW;
    private int rank;
    private int size;
    private ServerSocketChannel server;
    private Link sendLink;
    private Link receiveLink;
    private ExecutorService sender;
    private FrameCheck sendMac;
    private FrameCheck receiveMac;
    /** Bytes of each frame's tag: {@link FrameIntegrity#tagBytes()} of the ring's check. */
    private final int tagBytes;
    /** Frames of payload and tag, up to {@link #IO_BYTES} of payload per write or read. */
    private ByteBuffer sendBytes;

    private ByteBuffer receiveBytes;
    /** One frame's payload as bytes (the checks read arrays fastest) and as little-endian floats. */
    private byte[] sendScratch;

    private FloatBuffer sendScratchFloats;
    private byte[] receiveScratch;
    private ByteBuffer receiveScratchBytes;
    private FloatBuffer receiveScratchFloats;
    private int framesPerIo;
    private long calls;
    private volatile long payloadBytesSent;
    /** What the sender thread is doing for the current connect or call; close() cancels it. */
    private volatile Future<?> senderTask;

    public RingAllReduce(JobSecret secret, RingConfig config) {
        this.secret = Objects.requireNonNull(secret, "secret");
        this.config = Objects.requireNonNull(config, "config");
        this.tagBytes = config.integrity().tagBytes();
    }

    /**
     * Listens on an ephemeral port, publishes it through {@code exchange}, connects to the right
     * neighbour and accepts the left one, both authenticated. With one rank there is nothing to do.
     */
    public void connect(AddressExchange exchange) throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("connect() was already called on this ring (state " + state + ")");
        }
        rank = exchange.rank();
        size = exchange.size();
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is not in a ring of " + size);
        }
        if (size > 1) {
            try {
                openLinks(exchange);
                allocateBuffers();
            } catch (IOException | RuntimeException e) {
                closeResources();
                state = State.BROKEN;
                throw e;
            }
        }
        state = State.CONNECTED;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Gradient bytes this rank has sent so far (headers and handshakes not counted). */
    public long payloadBytesSent() {
        return payloadBytesSent;
    }

    /** Replaces {@code buf[offset .. offset+length)} by its sum over all ranks. */
    public void allReduce(float[] buf, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (state != State.CONNECTED) {
            throw new IllegalStateException("the ring is " + state + "; all-reduce needs a connected ring");
        }
        if (size == 1) {
            return;
        }
        long call = ++calls;
        RingSchedule schedule = new RingSchedule(rank, size, length);
        AtomicReference<IOException> firstFailure = new AtomicReference<>();
        progress.reset();
        Future<?> sending = submitToSender(() -> sendAll(buf, offset, length, call, schedule, firstFailure));
        try {
            receiveAll(buf, offset, length, call, schedule);
        } catch (IOException e) {
            firstFailure.compareAndSet(null, e);
        } catch (RuntimeException | Error e) {
            state = State.BROKEN;
            closeResources();
            throw e;
        }
        if (firstFailure.get() != null) {
            progress.abort();
            sendLink.close();
        }
        awaitSender(sending, firstFailure);
        if (firstFailure.get() != null) {
            throw breakOn(firstFailure.get(), call);
        }
    }

    /** After a failed call the streams are out of step: the ring is unusable and its sockets go. */
    private IOException breakOn(IOException failure, long call) {
        boolean closedHere = state == State.CLOSED;
        closeResources();
        if (closedHere) {
            return new IOException("the ring was closed by this rank during all-reduce call " + call, failure);
        }
        state = State.BROKEN;
        return failure;
    }

    public void allReduce(float[] buf) throws IOException {
        allReduce(buf, 0, buf.length);
    }

    /** Closes both connections and the sender thread; safe more than once and from another thread. */
    @Override
    public void close() {
        state = State.CLOSED;
        closeResources();
    }

    private void openLinks(AddressExchange exchange) throws IOException {
        String host = exchange.advertisedHost();
        server = ServerSocketChannel.open();
        config.applyTo(server);
        server.bind(listenAddress(host), 16);
        PeerAddress mine = new PeerAddress(host, ((InetSocketAddress) server.getLocalAddress()).getPort());
        List<PeerAddress> all = exchange.allGather(mine);
        if (all.size() != size) {
            throw new IOException("the address exchange returned " + all.size() + " addresses for a ring of " + size);
        }
        sender = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ring-all-reduce-sender-rank-" + rank);
            thread.setDaemon(true);
            return thread;
        });
        int right = (rank + 1) % size;
        int left = (rank + size - 1) % size;
        // One bound for connecting, accepting and both handshakes, however the peers dribble their bytes.
        long deadline = System.nanoTime() + config.timeout().toNanos();
        String bound = "the ring's connect deadline (" + config.timeoutMillis() + " ms after the address exchange)";
        Future<Link> outbound = submitToSender(() -> connectTo(right, all.get(right), deadline, bound));
        try {
            PeerAcceptor.Accepted accepted =
                    new PeerAcceptor(server, secret, config, rank, size).accept(left, all.get(left), deadline, bound);
            receiveLink = accepted.link();
            receiveMac = config.integrity().open(accepted.sessionKey());
        } catch (IOException e) {
            // A closed server socket means connecting out failed first: that failure is the cause,
            // unless this rank refused someone meanwhile, which points at the secrets or a stranger.
            IOException cause = server.isOpen() ? e : outboundFailure(outbound, e);
            if (cause != e && e instanceof PeerAuthenticationException) {
                e.addSuppressed(cause);
                cause = e;
            }
            discard(outbound);
            throw cause;
        }
        sendLink = awaitOutbound(outbound);
        server.close();
    }

    /**
     * A ring advertised on a loopback address listens there only; otherwise on every interface, because
     * a host name can resolve differently here (Debian maps its own name to 127.0.1.1) than at the peers.
     * Strangers that connect are refused by the handshake ({@link PeerAcceptor}).
     */
    private static InetSocketAddress listenAddress(String advertisedHost) throws IOException {
        boolean literal = advertisedHost.matches("[0-9.]+") || advertisedHost.indexOf(':') >= 0;
        if (advertisedHost.equals("localhost")
                || (literal && InetAddress.getByName(advertisedHost).isLoopbackAddress())) {
            return new InetSocketAddress(advertisedHost, 0);
        }
        return new InetSocketAddress(0);
    }

    private Link connectTo(int peer, PeerAddress address, long deadline, String bound) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            config.applyTo(channel);
            channel.socket().connect(address.socketAddress(), config.timeoutMillis());
        } catch (SocketTimeoutException e) {
            channel.close();
            server.close(); // wakes this rank's accept, so the failure surfaces now
            throw new PeerTimeoutException(
                    peer, address.toString(), "did not answer a connection within " + config.timeoutMillis() + " ms");
        } catch (IOException e) {
            channel.close();
            server.close();
            throw new PeerException(peer, address.toString(), "could not be reached: " + e, e);
        }
        Link link = new Link(channel, peer, config.timeoutMillis());
        try {
            link.deadline(deadline, bound);
            sendMac = config.integrity().open(Handshake.asConnector(link, secret, config, rank, peer, size));
            link.deadline(0, null);
            return link;
        } catch (IOException e) {
            link.close();
            server.close();
            throw e;
        }
    }

    private static IOException outboundFailure(Future<Link> outbound, IOException fallback) {
        try {
            outbound.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException cause) {
                return cause;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return fallback;
    }

    /** Stops connecting out, or closes the connection if it was already made. */
    private static void discard(Future<Link> outbound) {
        if (outbound.cancel(true)) {
            return;
        }
        try {
            outbound.get().close();
        } catch (ExecutionException | CancellationException e) {
            // Nothing was connected.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Link awaitOutbound(Future<Link> outbound) throws IOException {
        try {
            return outbound.get();
        } catch (CancellationException e) {
            throw new IOException("the ring was closed by this rank while connecting");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException cause) {
                throw cause;
            }
            throw new IllegalStateException("connecting to the right neighbour failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting the ring");
        }
    }

    private void allocateBuffers() {
        int frameBytes = config.subChunkBytes();
        framesPerIo = Math.max(1, IO_BYTES / frameBytes);
        int bytes = framesPerIo * (frameBytes + tagBytes);
        sendBytes = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        receiveBytes = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        sendScratch = new byte[frameBytes];
        sendScratchFloats =
                ByteBuffer.wrap(sendScratch).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        receiveScratch = new byte[frameBytes + tagBytes];
        receiveScratchBytes = ByteBuffer.wrap(receiveScratch).order(ByteOrder.LITTLE_ENDIAN);
        receiveScratchFloats = receiveScratchBytes.asFloatBuffer();
    }

    private Void sendAll(
            float[] buf,
            int offset,
            int length,
            long call,
            RingSchedule schedule,
            AtomicReference<IOException> firstFailure)
            throws IOException {
        try {
            sendLink.writeFully(sealedHeader(call, length), "in all-reduce call " + call);
            for (int step = 0; step < schedule.steps(); step++) {
                sendStep(buf, offset, call, schedule, step);
            }
        } catch (IOException e) {
            firstFailure.compareAndSet(null, e);
            receiveLink.close(); // the receiving thread would otherwise wait for its own timeout
            throw e;
        } catch (Progress.AbortedException | InterruptedException e) {
            // The receiving side failed first and reports it.
        }
        return null;
    }

    /**
     * Sends the step's chunk as frames of {@link RingConfig#subChunkBytes()} (the last one shorter),
     * in writes of up to {@link #IO_BYTES} of payload. A forwarded chunk waits for a frame to arrive
     * and check, then takes all that has: one frame at a time while the sender keeps up, larger writes
     * when it falls behind. The receiver reports progress in whole frames on the same grid, so every
     * write starts on a frame boundary.
     */
    private void sendStep(float[] buf, int offset, long call, RingSchedule schedule, int step)
            throws IOException, Progress.AbortedException, InterruptedException {
        int chunk = schedule.sendChunk(step);
        int start = offset + schedule.chunkStart(chunk);
        int length = schedule.chunkLength(chunk);
        int frameFloats = config.subChunkFloats();
        String during = during(call, step, schedule);
        boolean forward = step > 0; // the chunk received at the step before
        long before = forward ? schedule.receivedBefore(step - 1) : 0;
        for (int sent = 0; sent < length; ) {
            int n = Math.min(framesPerIo * frameFloats, length - sent);
            if (forward) {
                int piece = Math.min(frameFloats, length - sent);
                long arrived = progress.awaitAtLeast(before + sent + piece) - before - sent;
                n = (int) Math.min(n, arrived);
            }
            sendBytes.clear();
            for (int framed = 0; framed < n; framed += frameFloats) {
                int m = Math.min(frameFloats, n - framed);
                sendScratchFloats.clear();
                sendScratchFloats.put(buf, start + sent + framed, m);
                sendBytes.put(sendScratch, 0, m * Float.BYTES);
                sendMac.seal(sendScratch, 0, m * Float.BYTES, sendBytes);
            }
            sendBytes.flip();
            sendLink.writeFully(sendBytes, during);
            payloadBytesSent += (long) n * Float.BYTES;
            sent += n;
        }
    }

    private void receiveAll(float[] buf, int offset, int length, long call, RingSchedule schedule) throws IOException {
        checkHeader(call, length);
        for (int step = 0; step < schedule.steps(); step++) {
            receiveStep(buf, offset, call, schedule, step);
        }
    }

    /**
     * Reads the step's frames through the direct buffer, as many as have arrived per read but never
     * past the step's end, and adds or copies each frame's floats once its tag checks; then tells the
     * sender how far the call has got.
     */
    private void receiveStep(float[] buf, int offset, long call, RingSchedule schedule, int step) throws IOException {
        int chunk = schedule.receiveChunk(step);
        int start = offset + schedule.chunkStart(chunk);
        int length = schedule.chunkLength(chunk);
        int frameFloats = config.subChunkFloats();
        boolean reduce = schedule.isReduceStep(step);
        String during = during(call, step, schedule);
        long before = schedule.receivedBefore(step);
        int frames = (length + frameFloats - 1) / frameFloats;
        long unread = (long) length * Float.BYTES + (long) frames * tagBytes;
        receiveBytes.clear();
        for (int done = 0; done < length; ) {
            int had = receiveBytes.position();
            receiveBytes.limit((int) Math.min(receiveBytes.capacity(), had + unread));
            receiveLink.readSome(receiveBytes, during);
            unread -= receiveBytes.position() - had;
            int at = 0;
            while (done < length) {
                int m = Math.min(frameFloats, length - done);
                int payload = m * Float.BYTES;
                if (receiveBytes.position() - at < payload + tagBytes) {
                    break; // the rest of this frame is still coming
                }
                receiveBytes.get(at, receiveScratch, 0, payload + tagBytes);
                long frame = receiveMac.sequence();
                if (!receiveMac.verify(receiveScratch, 0, payload, receiveScratch, payload)) {
                    throw new PeerIntegrityException(
                            receiveLink.peerRank(),
                            receiveLink.peerAddress(),
                            "sent a frame that fails its " + config.integrity().label() + " check " + during
                                    + ": frame " + frame + " of the connection, floats "
                                    + done + " to " + (done + m) + " of a " + length
                                    + "-float chunk; the data was altered between"
                                    + " the ranks, so this call's sums are discarded");
                }
                if (reduce) {
                    addFrame(buf, start + done, m);
                } else {
                    receiveScratchFloats.get(0, buf, start + done, m);
                }
                done += m;
                at += payload + tagBytes;
                progress.advanceTo(before + done);
            }
            receiveBytes.limit(receiveBytes.position()).position(at);
            receiveBytes.compact();
        }
    }

    /**
     * local + incoming, read from the checked frame. The Vector API would add three times faster once
     * C2 has compiled it, but runs a thousand times slower until then (1.4 s for the first BERT-mini
     * gradient), and a training step calls this too rarely for C2 to get to it soon.
     */
    private void addFrame(float[] buf, int start, int n) {
        for (int i = 0; i < n; i++) {
            buf[start + i] += receiveScratchBytes.getFloat(i * Float.BYTES);
        }
    }

    private static final int HEADER_BYTES = 12;

    private ByteBuffer sealedHeader(long call, int length) {
        byte[] header =
                ByteBuffer.allocate(HEADER_BYTES).putLong(call).putInt(length).array();
        ByteBuffer sealed = ByteBuffer.allocate(HEADER_BYTES + tagBytes).put(header);
        sendMac.seal(header, 0, HEADER_BYTES, sealed);
        return sealed.flip();
    }

    /** Every rank must be in the same call with the same length, or the sums would be garbage. */
    private void checkHeader(long call, int length) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES + tagBytes);
        receiveLink.readFully(header, "at the start of all-reduce call " + call);
        if (!receiveMac.verify(header.array(), 0, HEADER_BYTES, header.array(), HEADER_BYTES)) {
            throw new PeerIntegrityException(
                    receiveLink.peerRank(),
                    receiveLink.peerAddress(),
                    "sent a call header that fails its " + config.integrity().label()
                            + " check at the start of all-reduce call " + call
                            + ": the data was altered between the ranks");
        }
        header.flip();
        long peerCall = header.getLong();
        int peerLength = header.getInt();
        if (peerCall != call || peerLength != length) {
            throw new PeerException(
                    receiveLink.peerRank(),
                    receiveLink.peerAddress(),
                    "is in all-reduce call " + peerCall + " of " + peerLength + " floats while this rank is in call "
                            + call + " of " + length
                            + " floats: every rank must all-reduce the same lengths in the same order",
                    null);
        }
    }

    private static String during(long call, int step, RingSchedule schedule) {
        return "in all-reduce call " + call + " (step " + (step + 1) + " of " + schedule.steps() + ")";
    }

    /**
     * Hands a task to the sender thread so that close() can cancel it: a task that shutdownNow() drops
     * before it starts would otherwise leave its future, and whoever waits on it, pending forever.
     */
    private <T> Future<T> submitToSender(java.util.concurrent.Callable<T> task) throws IOException {
        Future<T> future;
        try {
            future = sender.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IOException("the ring was closed by this rank", e);
        }
        senderTask = future;
        if (state == State.CLOSED) {
            future.cancel(true);
        }
        return future;
    }

    private static void awaitSender(Future<?> sending, AtomicReference<IOException> firstFailure) {
        try {
            sending.get();
        } catch (CancellationException e) {
            firstFailure.compareAndSet(null, new IOException("the ring was closed by this rank"));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException cause) {
                firstFailure.compareAndSet(null, cause);
            } else {
                firstFailure.compareAndSet(null, new IOException("the ring's sender failed", e.getCause()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            firstFailure.compareAndSet(null, new InterruptedIOException("interrupted during all-reduce"));
        }
    }

    private void closeResources() {
        progress.abort();
        if (sendLink != null) {
            sendLink.close();
        }
        if (receiveLink != null) {
            receiveLink.close();
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // Nothing is waiting on it any more.
            }
        }
        Future<?> task = senderTask;
        if (task != null) {
            task.cancel(true);
        }
        if (sender != null) {
            sender.shutdownNow();
        }
    }
}
