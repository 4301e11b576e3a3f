package org.sparkbert.engine.collective;

/** A connection was refused because the other end did not prove it holds the job secret. */
public final class PeerAuthenticationException extends PeerException {
    private static final long serialVersionUID = 1L;

    public PeerAuthenticationException(int peerRank, String peerAddress, String problem) {
        super(peerRank, peerAddress, problem, null);
    }
}
