package org.sparkbert.engine.collective;

/** A peer went silent for longer than the ring's timeout: lost, hung, or far behind. */
public final class PeerTimeoutException extends PeerException {
    private static final long serialVersionUID = 1L;

    public PeerTimeoutException(int peerRank, String peerAddress, String problem) {
        super(peerRank, peerAddress, problem, null);
    }
}
