package org.sparkbert.engine.collective;

import java.io.IOException;

/** A ring operation failed because of one peer; the message names it by rank and address. */
public class PeerException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int peerRank;
    private final String peerAddress;

    /** {@code peerRank} is -1 for a connection that never said which rank it is. */
    public PeerException(int peerRank, String peerAddress, String problem, Throwable cause) {
        super(describe(peerRank, peerAddress) + " " + problem, cause);
        this.peerRank = peerRank;
        this.peerAddress = peerAddress;
    }

    public int peerRank() {
        return peerRank;
    }

    public String peerAddress() {
        return peerAddress;
    }

    static String describe(int peerRank, String peerAddress) {
        return peerRank < 0 ? "peer at " + peerAddress : "rank " + peerRank + " at " + peerAddress;
    }
}
