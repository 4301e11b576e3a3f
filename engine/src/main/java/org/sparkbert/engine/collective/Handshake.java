package org.sparkbert.engine.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Mutual challenge-response on a fresh ring connection. Each side sends a random nonce and proves it
 * holds the job secret with HMAC-SHA256 over both nonces, the ring's terms (size, both ranks, the
 * stage attempt, the frame size and check) and its role, so a proof can be neither replayed nor reflected back,
 * nor carried into another attempt of the stage. The connecting side proves itself first: the
 * accepting side gives away no proof to a stranger, and a stranger is refused there, with its
 * address named. Both sides then derive the connection's session key, under which every frame of
 * gradients is checked ({@link FrameCheck}: a CRC-32C or an HMAC-SHA256, as the ring's {@link
 * RingConfig#integrity()} says).
 *
 * <pre>
 *   connector -> acceptor : MAGIC, VERSION, ring size, connector rank, attempt, frame bytes, check, nonceC
 *   acceptor  -> connector: acceptor rank, attempt, frame bytes, check, nonceA
 *   connector -> acceptor : HMAC(secret, "connector", nonceC, nonceA, terms)
 *   acceptor  -> connector: HMAC(secret, "acceptor",  nonceC, nonceA, terms)
 *   session key           = HMAC(secret, "frames",    nonceC, nonceA, terms)
 * </pre>
 */
final class Handshake {
    private static final int MAGIC = 0x53424152; // "SBAR": sparkbert all-reduce
    private static final int VERSION = 3;
    private static final int NONCE_BYTES = 32;
    private static final int MAC_BYTES = 32;
    private static final int HELLO_BYTES = 28 + NONCE_BYTES;
    private static final int REPLY_BYTES = 16 + NONCE_BYTES;
    private static final byte[] CONNECTOR = "connector".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ACCEPTOR = "acceptor".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] FRAMES = "frames".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    // A rank that refuses a peer on one of its links closes its other link mid-handshake too, so a
    // handshake that breaks off most often means two ranks hold different secrets: say so.
    private static final String DURING = "during authentication (do all ranks hold the same job secret?)";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {}

    /**
     * Run by the rank that connected; throws unless the acceptor is {@code expectedRank} of the same
     * attempt and proves the secret. Returns the connection's session key.
     */
    static byte[] asConnector(Link link, JobSecret secret, RingConfig config, int myRank, int expectedRank, int size)
            throws IOException {
        byte[] nonceC = nonce();
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        hello.putInt(MAGIC)
                .putInt(VERSION)
                .putInt(size)
                .putInt(myRank)
                .putInt(config.attempt())
                .putInt(config.subChunkBytes())
                .putInt(config.integrity().ordinal())
                .put(nonceC)
                .flip();
        link.writeFully(hello, DURING);

        ByteBuffer reply = ByteBuffer.allocate(REPLY_BYTES);
        link.readFully(reply, DURING);
        reply.flip();
        int acceptorRank = reply.getInt();
        int attempt = reply.getInt();
        int frameBytes = reply.getInt();
        int check = reply.getInt();
        byte[] nonceA = new byte[NONCE_BYTES];
        reply.get(nonceA);
        if (acceptorRank != expectedRank) {
            throw new PeerAuthenticationException(
                    link.peerRank(),
                    link.peerAddress(),
                    "answered as rank " + acceptorRank + "; the ring expected rank " + expectedRank + " there");
        }
        String mismatch = termsMismatch(attempt, frameBytes, check, config);
        if (mismatch != null) {
            throw new PeerAuthenticationException(link.peerRank(), link.peerAddress(), mismatch);
        }
        byte[] terms = terms(size, myRank, acceptorRank, config);
        link.writeFully(ByteBuffer.wrap(secret.mac(CONNECTOR, nonceC, nonceA, terms)), DURING);

        ByteBuffer proof = ByteBuffer.allocate(MAC_BYTES);
        link.readFully(proof, "during authentication (it refused this rank: do both hold the same job secret?)");
        if (!MessageDigest.isEqual(proof.array(), secret.mac(ACCEPTOR, nonceC, nonceA, terms))) {
            throw new PeerAuthenticationException(
                    link.peerRank(), link.peerAddress(), "failed authentication: it does not hold this job's secret");
        }
        return secret.mac(FRAMES, nonceC, nonceA, terms);
    }

    /**
     * Run by the rank that accepted; refuses anything but {@code expectedRank} of the same attempt
     * holding the secret. Returns the connection's session key.
     */
    static byte[] asAcceptor(Link link, JobSecret secret, RingConfig config, int myRank, int expectedRank, int size)
            throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        link.readFully(hello, DURING);
        hello.flip();
        if (hello.getInt() != MAGIC || hello.getInt() != VERSION) {
            throw refused(link, "is not a ring peer of this version (bad greeting)");
        }
        int peerSize = hello.getInt();
        int connectorRank = hello.getInt();
        int attempt = hello.getInt();
        int frameBytes = hello.getInt();
        int check = hello.getInt();
        if (peerSize != size || connectorRank != expectedRank) {
            throw refused(
                    link,
                    "claimed to be rank " + connectorRank + " of " + peerSize + "; this rank expected rank "
                            + expectedRank + " of " + size);
        }
        byte[] nonceC = new byte[NONCE_BYTES];
        hello.get(nonceC);

        // The reply goes out even to a peer of another attempt, so that it can say what differs too.
        byte[] nonceA = nonce();
        ByteBuffer reply = ByteBuffer.allocate(REPLY_BYTES);
        reply.putInt(myRank)
                .putInt(config.attempt())
                .putInt(config.subChunkBytes())
                .putInt(config.integrity().ordinal())
                .put(nonceA)
                .flip();
        link.writeFully(reply, DURING);
        String mismatch = termsMismatch(attempt, frameBytes, check, config);
        if (mismatch != null) {
            throw refused(link, mismatch.replaceFirst("^is", "was"));
        }

        ByteBuffer proof = ByteBuffer.allocate(MAC_BYTES);
        link.readFully(proof, DURING);
        byte[] terms = terms(size, connectorRank, myRank, config);
        if (!MessageDigest.isEqual(proof.array(), secret.mac(CONNECTOR, nonceC, nonceA, terms))) {
            throw refused(link, "failed authentication: it does not hold this job's secret");
        }
        link.identify(connectorRank);
        link.writeFully(ByteBuffer.wrap(secret.mac(ACCEPTOR, nonceC, nonceA, terms)), DURING);
        return secret.mac(FRAMES, nonceC, nonceA, terms);
    }

    /** Why a peer's attempt, frame size or frame check rules it out, or null if they match ours. */
    private static String termsMismatch(int attempt, int frameBytes, int check, RingConfig config) {
        if (attempt != config.attempt()) {
            return "is from stage attempt " + attempt + " while this rank is in attempt " + config.attempt()
                    + " (a task left over from an earlier attempt?)";
        }
        if (frameBytes != config.subChunkBytes()) {
            return "is framing " + frameBytes + "-byte pieces while this rank frames " + config.subChunkBytes()
                    + " (every rank needs the same RingConfig)";
        }
        if (check != config.integrity().ordinal()) {
            String theirs = check >= 0 && check < FrameIntegrity.values().length
                    ? FrameIntegrity.values()[check].label()
                    : "an unknown check (" + check + ")";
            return "is checking frames with " + theirs + " while this rank uses "
                    + config.integrity().label() + " (every rank needs the same ring.integrity)";
        }
        return null;
    }

    private static PeerAuthenticationException refused(Link link, String why) {
        // The peer's rank is not trusted until it has proved the secret, so only its address is named.
        return new PeerAuthenticationException(-1, link.peerAddress(), "was refused: it " + why);
    }

    private static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    private static byte[] terms(int size, int connectorRank, int acceptorRank, RingConfig config) {
        return ByteBuffer.allocate(24)
                .putInt(size)
                .putInt(connectorRank)
                .putInt(acceptorRank)
                .putInt(config.attempt())
                .putInt(config.subChunkBytes())
                .putInt(config.integrity().ordinal())
                .array();
    }
}
