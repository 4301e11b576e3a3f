package org.sparkbert.engine.collective;

import java.io.IOException;
import java.util.List;

/**
 * How the ranks of one ring learn each other's listening addresses: every rank publishes its own and
 * receives everyone's, indexed by rank. In a Spark barrier stage this is {@code
 * BarrierTaskContext.allGather}; in tests it is threads or processes of one machine.
 */
public interface AddressExchange {

    /** This rank, 0 to {@link #size()} - 1. */
    int rank();

    /** The number of ranks in the ring. */
    int size();

    /** The host this rank's peers can reach it at; the ring listens there. */
    String advertisedHost();

    /** Publishes {@code mine} and returns all ranks' addresses in rank order (mine included). */
    List<PeerAddress> allGather(PeerAddress mine) throws IOException;
}
