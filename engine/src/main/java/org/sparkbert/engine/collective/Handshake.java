package org.sparkbert.engine.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Mutual challenge-response on a fresh ring connection. Each side sends a random nonce and proves it
 * holds the job secret with HMAC-SHA256 over both nonces, both ranks and its role, so a proof can
 * be neither replayed nor reflected back. The connecting side proves itself first: the accepting
 * side gives away no proof to a stranger, and a stranger is refused there, with its address named.
 *
 * <pre>
 *   connector -> acceptor : MAGIC, VERSION, ring size, connector rank, nonceC
 *   acceptor  -> connector: acceptor rank, nonceA
 *   connector -> acceptor : HMAC(secret, "connector", nonceC, nonceA, ranks)
 *   acceptor  -> connector: HMAC(secret, "acceptor",  nonceC, nonceA, ranks)
 * </pre>
 */
final class Handshake {
  private static final int MAGIC = 0x53424152; // "SBAR": sparkbert all-reduce
  private static final int VERSION = 1;
  private static final int NONCE_BYTES = 32;
  private static final int MAC_BYTES = 32;
  private static final byte[] CONNECTOR = "connector".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] ACCEPTOR = "acceptor".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  // A rank that refuses a peer on one of its links closes its other link mid-handshake too, so a
  // handshake that breaks off most often means two ranks hold different secrets: say so.
  private static final String DURING = "during authentication (do all ranks hold the same job secret?)";

  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  /** Run by the rank that connected; throws unless the acceptor is {@code expectedRank} and proves the secret. */
  static void asConnector(Link link, JobSecret secret, int myRank, int expectedRank, int size)
      throws IOException {
    byte[] nonceC = nonce();
    ByteBuffer hello = ByteBuffer.allocate(16 + NONCE_BYTES);
    hello.putInt(MAGIC).putInt(VERSION).putInt(size).putInt(myRank).put(nonceC).flip();
    link.writeFully(hello, DURING);

    ByteBuffer reply = ByteBuffer.allocate(4 + NONCE_BYTES);
    link.readFully(reply, DURING);
    reply.flip();
    int acceptorRank = reply.getInt();
    byte[] nonceA = new byte[NONCE_BYTES];
    reply.get(nonceA);
    if (acceptorRank != expectedRank) {
      throw new PeerAuthenticationException(link.peerRank(), link.peerAddress(),
          "answered as rank " + acceptorRank + "; the ring expected rank " + expectedRank + " there");
    }
    byte[] ranks = ranks(myRank, acceptorRank);
    link.writeFully(ByteBuffer.wrap(secret.mac(CONNECTOR, nonceC, nonceA, ranks)), DURING);

    ByteBuffer proof = ByteBuffer.allocate(MAC_BYTES);
    link.readFully(proof, "during authentication (it refused this rank: do both hold the same job secret?)");
    if (!MessageDigest.isEqual(proof.array(), secret.mac(ACCEPTOR, nonceC, nonceA, ranks))) {
      throw new PeerAuthenticationException(link.peerRank(), link.peerAddress(),
          "failed authentication: it does not hold this job's secret");
    }
  }

  /** Run by the rank that accepted; refuses anything but {@code expectedRank} holding the secret. */
  static void asAcceptor(Link link, JobSecret secret, int myRank, int expectedRank, int size)
      throws IOException {
    ByteBuffer hello = ByteBuffer.allocate(16 + NONCE_BYTES);
    link.readFully(hello, DURING);
    hello.flip();
    if (hello.getInt() != MAGIC || hello.getInt() != VERSION) {
      throw refused(link, "is not a ring peer of this version (bad greeting)");
    }
    int peerSize = hello.getInt();
    int connectorRank = hello.getInt();
    if (peerSize != size || connectorRank != expectedRank) {
      throw refused(link, "claimed to be rank " + connectorRank + " of " + peerSize
          + "; this rank expected rank " + expectedRank + " of " + size);
    }
    byte[] nonceC = new byte[NONCE_BYTES];
    hello.get(nonceC);

    byte[] nonceA = nonce();
    ByteBuffer reply = ByteBuffer.allocate(4 + NONCE_BYTES);
    reply.putInt(myRank).put(nonceA).flip();
    link.writeFully(reply, DURING);

    ByteBuffer proof = ByteBuffer.allocate(MAC_BYTES);
    link.readFully(proof, DURING);
    byte[] ranks = ranks(connectorRank, myRank);
    if (!MessageDigest.isEqual(proof.array(), secret.mac(CONNECTOR, nonceC, nonceA, ranks))) {
      throw refused(link, "failed authentication: it does not hold this job's secret");
    }
    link.identify(connectorRank);
    link.writeFully(ByteBuffer.wrap(secret.mac(ACCEPTOR, nonceC, nonceA, ranks)), DURING);
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

  private static byte[] ranks(int connectorRank, int acceptorRank) {
    return ByteBuffer.allocate(8).putInt(connectorRank).putInt(acceptorRank).array();
  }
}
