package org.sparkbert.tokenize;

import java.io.Serializable;
import java.util.Arrays;

/**
 * An open-addressing map from a pair of ids to a long, without boxing: BPE looks up the rank and
 * result of a merge for every adjacent pair of symbols, millions of times per second.
 */
public final class PairTable implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int size;

    public PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new long[capacity];
    }

    public static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    public void put(int left, int right, long value) {
        if ((size + 1) * 2 > keys.length) grow();
        long key = key(left, right);
        int slot = find(key);
        if (keys[slot] == EMPTY) {
            keys[slot] = key;
            size++;
        }
        values[slot] = value;
    }

    /** The value of a pair, or {@code missing}. */
    public long get(int left, int right, long missing) {
        long key = key(left, right);
        int mask = keys.length - 1;
        int slot = hash(key) & mask;
        while (true) {
            long k = keys[slot];
            if (k == key) return values[slot];
            if (k == EMPTY) return missing;
            slot = (slot + 1) & mask;
        }
    }

    public int size() {
        return size;
    }

    private int find(long key) {
        int mask = keys.length - 1;
        int slot = hash(key) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) slot = (slot + 1) & mask;
        return slot;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        values = new long[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int slot = find(oldKeys[i]);
                keys[slot] = oldKeys[i];
                values[slot] = oldValues[i];
            }
        }
    }

    private static int hash(long key) {
        long h = (key ^ (key >>> 29)) * 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }
}
