package org.sparkbert.engine.collective;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Address exchange for a rank running as a child process of a launcher on the same machine (the
 * multi-process tests and the all-reduce benchmark). The rank prints one {@value #PUBLISH} line
 * with its address and reads back one {@value #ALL} line with everyone's, comma-separated in rank
 * order; the launcher relays between its children.
 */
public final class StreamAddressExchange implements AddressExchange {
    public static final String PUBLISH = "ADDRESS";
    public static final String ALL = "ADDRESSES";

    private final int rank;
    private final int size;
    private final String host;
    private final BufferedReader in;
    private final PrintStream out;

    public StreamAddressExchange(int rank, int size, String host, BufferedReader in, PrintStream out) {
        this.rank = rank;
        this.size = size;
        this.host = host;
        this.in = in;
        this.out = out;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String advertisedHost() {
        return host;
    }

    @Override
    public List<PeerAddress> allGather(PeerAddress mine) throws IOException {
        out.println(PUBLISH + " " + mine);
        out.flush();
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the launcher closed standard input before sending the ring's addresses");
        }
        if (!line.startsWith(ALL + " ")) {
            throw new IOException("expected an '" + ALL + " ...' line from the launcher, got '" + line + "'");
        }
        List<PeerAddress> all = new ArrayList<>();
        for (String address : line.substring(ALL.length() + 1).split(",")) {
            all.add(PeerAddress.parse(address.trim()));
        }
        return all;
    }
}
