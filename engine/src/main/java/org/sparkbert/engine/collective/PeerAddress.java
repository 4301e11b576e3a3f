package org.sparkbert.engine.collective;

import java.net.InetSocketAddress;

/** Where a rank listens for its left neighbour, as published to the other ranks. */
public record PeerAddress(String host, int port) {

    public PeerAddress {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("a peer address needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range in peer address: " + port);
        }
    }

    /** Parses {@code host:port}; the last colon splits, so a bracketed IPv6 host works too. */
    public static PeerAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("not a host:port peer address: '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new PeerAddress(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a host:port peer address: '" + text + "'");
        }
    }

    InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
