package org.sparkbert.ingest.dedup;

/**
 * The owner of each line among the pages that hold it, for one partition of line records: the page
 * with the smallest (MD5 of its normalised URL or id, key), the MD5 compared byte by byte unsigned as
 * Spark orders binary values. An open-addressing table on the line hash's two halves, sized once for
 * the records it will see: a million lines take a few arrays, not a million objects.
 */
final class LineOwners {
    private final long[] his;
    private final long[] los;
    private final long[] ownerHis;
    private final long[] ownerLos;
    private final long[] keys;
    private final boolean[] used;
    private final int mask;

    LineOwners(int records) {
        int capacity = Integer.highestOneBit(Math.max(4, records) * 2 - 1) << 1;
        his = new long[capacity];
        los = new long[capacity];
        ownerHis = new long[capacity];
        ownerLos = new long[capacity];
        keys = new long[capacity];
        used = new boolean[capacity];
        mask = capacity - 1;
    }

    void offer(long hi, long lo, long ownerHi, long ownerLo, long key) {
        int s = slot(hi, lo);
        if (!used[s]) {
            used[s] = true;
            his[s] = hi;
            los[s] = lo;
        } else if (before(ownerHis[s], ownerLos[s], keys[s], ownerHi, ownerLo, key)) {
            return;
        }
        ownerHis[s] = ownerHi;
        ownerLos[s] = ownerLo;
        keys[s] = key;
    }

    /** The key of the page that owns the line; the line must have been offered. */
    long ownerKey(long hi, long lo) {
        return keys[slot(hi, lo)];
    }

    private static boolean before(long hiA, long loA, long keyA, long hiB, long loB, long keyB) {
        int c = Long.compareUnsigned(hiA, hiB);
        if (c == 0) {
            c = Long.compareUnsigned(loA, loB);
        }
        return c != 0 ? c < 0 : keyA < keyB;
    }

    /** The records of a partition share their hash's high half modulo the partition count, so probe by the low half. */
    private int slot(long hi, long lo) {
        int s = (int) (lo ^ (lo >>> 32)) & mask;
        while (used[s] && (his[s] != hi || los[s] != lo)) {
            s = (s + 1) & mask;
        }
        return s;
    }
}
