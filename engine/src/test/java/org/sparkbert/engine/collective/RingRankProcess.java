package org.sparkbert.engine.collective;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One rank of {@link RingProcessesTest} in its own JVM. Arguments: length calls seed timeoutMillis
 * resultPrefix rank size. All-reduces a fresh copy of its {@link TestBuffers#exactlySummable} input
 * {@code calls} times, printing "DONE call" after each, writes the last result to resultPrefix + rank as
 * little-endian floats, prints "FINISHED". A failure prints "FAILED message" on stderr and exits 3.
 */
public final class RingRankProcess {
    private RingRankProcess() {}

    public static void main(String[] args) throws Exception {
        int length = Integer.parseInt(args[0]);
        int calls = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        RingConfig config = RingConfig.defaults().withTimeout(Duration.ofMillis(Long.parseLong(args[3])));
        int rank = Integer.parseInt(args[5]);
        Path resultFile = Path.of(args[4] + rank);
        int size = Integer.parseInt(args[6]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        JobSecret secret = JobSecret.fromBase64(in.readLine());
        try (RingAllReduce ring = new RingAllReduce(secret, config)) {
            ring.connect(new StreamAddressExchange(rank, size, "127.0.0.1", in, System.out));
            float[] input = TestBuffers.exactlySummable(seed, rank, length);
            float[] buf = input.clone();
            for (int call = 1; call <= calls; call++) {
                System.arraycopy(input, 0, buf, 0, length);
                ring.allReduce(buf, 0, length);
                System.out.println("DONE " + call);
            }
            write(buf, resultFile);
            System.out.println("FINISHED");
        } catch (Exception e) {
            System.err.println("FAILED " + e.getMessage());
            e.printStackTrace();
            System.exit(3);
        }
    }

    private static void write(float[] values, Path file) throws java.io.IOException {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.write(bytes.array());
        }
    }

    static float[] read(Path file) throws java.io.IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }
}
