package org.sparkbert.engine.collective;

/**
 * Data from an authenticated peer failed its frame's check (CRC-32C or MAC): it was altered (or dropped, replayed or
 * reordered) between the ranks. The sums of this call are not to be trusted, so the call fails.
 */
public final class PeerIntegrityException extends PeerException {
    private static final long serialVersionUID = 1L;

    public PeerIntegrityException(int peerRank, String peerAddress, String problem) {
        super(peerRank, peerAddress, problem, null);
    }
}
