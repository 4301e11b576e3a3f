package org.sparkbert.tokenize;

import java.util.Arrays;

/** A growable list of primitive ints: encoders append ids here without boxing. */
public final class IdList {
    private int[] ids;
    private int size;

    public IdList() {
        this(64);
    }

    public IdList(int capacity) {
        ids = new int[Math.max(capacity, 4)];
    }

    public void add(int id) {
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size++] = id;
    }

    public int get(int index) {
        return ids[index];
    }

    public int size() {
        return size;
    }

    /** Drops everything from {@code newSize} on: WordPiece rolls back the pieces of a word it cannot cover. */
    public void truncate(int newSize) {
        size = newSize;
    }

    public void clear() {
        size = 0;
    }

    public int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
