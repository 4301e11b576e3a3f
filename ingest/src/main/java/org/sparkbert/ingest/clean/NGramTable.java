package org.sparkbert.ingest.clean;

import java.util.HashMap;
import java.util.Map;

/**
 * langdetect's n-gram table (n-gram → per-language probabilities) with a faster lookup and the same
 * content. langdetect keeps it in a {@code HashMap<String, double[]>}, and the hash codes of its 1- to
 * 3-character keys collide so much (for non-Latin scripts above all) that a third of its time went
 * into the tree bins of that map. This map answers {@code get} and {@code containsKey} for keys of up
 * to three characters from an open-addressing table on the characters packed into a {@code long};
 * other keys (langdetect asks none) go to the ordinary map, which holds every entry too. Same
 * answers, so the same detections.
 */
final class NGramTable extends HashMap<String, double[]> {
    private static final long serialVersionUID = 1L;

    private final long[] keys;
    private final double[][] values;
    private final int mask;

    NGramTable(Map<String, double[]> entries) {
        super(entries);
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2 + 1)) << 1;
        keys = new long[capacity];
        values = new double[capacity][];
        mask = capacity - 1;
        for (Map.Entry<String, double[]> e : entries.entrySet()) {
            String k = e.getKey();
            if (k.length() >= 1 && k.length() <= 3) {
                long packed = pack(k);
                int slot = slot(packed);
                while (keys[slot] != 0 && keys[slot] != packed) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = packed;
                values[slot] = e.getValue();
            }
        }
    }

    /** The length in the top bits, then up to three UTF-16 units: never 0 for a non-empty key. */
    private static long pack(String k) {
        long p = k.length();
        for (int i = 0; i < k.length(); i++) {
            p = (p << 16) | k.charAt(i);
        }
        return p;
    }

    private int slot(long packed) {
        long h = packed * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }

    private double[] find(String k) {
        long packed = pack(k);
        for (int slot = slot(packed); keys[slot] != 0; slot = (slot + 1) & mask) {
            if (keys[slot] == packed) {
                return values[slot];
            }
        }
        return null;
    }

    @Override
    public double[] get(Object key) {
        if (key instanceof String && ((String) key).length() >= 1 && ((String) key).length() <= 3) {
            return find((String) key);
        }
        return super.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        if (key instanceof String && ((String) key).length() >= 1 && ((String) key).length() <= 3) {
            return find((String) key) != null;
        }
        return super.containsKey(key);
    }
}
