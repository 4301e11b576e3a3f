package org.sparkbert.tokenize.vocab;

import java.util.Arrays;
import java.util.function.ObjLongConsumer;

/**
 * Counts words given as char ranges without making a string per occurrence: an open-addressing
 * table whose keys live in one growing char arena. A task counts its whole partition here, so the
 * cost per word is one hash and one comparison; only a new distinct word copies its chars.
 */
final class WordCountTable {
    private char[] arena = new char[1 << 16];
    private int arenaUsed;
    private int[] offsets = new int[1 << 12];
    private int[] lengths = new int[1 << 12];
    private int[] hashes = new int[1 << 12];
    private long[] counts = new long[1 << 12];
    private int size;
    private int[] slots = newSlots(1 << 13);

    private static int[] newSlots(int capacity) {
        int[] s = new int[capacity];
        Arrays.fill(s, -1);
        return s;
    }

    int size() {
        return size;
    }

    void add(char[] chars, int start, int end) {
        int h = hash(chars, start, end);
        int mask = slots.length - 1;
        int slot = h & mask;
        int length = end - start;
        while (true) {
            int entry = slots[slot];
            if (entry < 0) break;
            if (hashes[entry] == h
                    && lengths[entry] == length
                    && Arrays.equals(arena, offsets[entry], offsets[entry] + length, chars, start, end)) {
                counts[entry]++;
                return;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = insert(chars, start, end, h);
        if (size * 2 > slots.length) rehash();
    }

    /** Every word and its count, in no particular order. */
    void forEach(ObjLongConsumer<String> consumer) {
        for (int e = 0; e < size; e++) consumer.accept(new String(arena, offsets[e], lengths[e]), counts[e]);
    }

    private int insert(char[] chars, int start, int end, int h) {
        int length = end - start;
        if (arenaUsed + length > arena.length)
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + length));
        System.arraycopy(chars, start, arena, arenaUsed, length);
        if (size == offsets.length) {
            int capacity = size * 2;
            offsets = Arrays.copyOf(offsets, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
            hashes = Arrays.copyOf(hashes, capacity);
            counts = Arrays.copyOf(counts, capacity);
        }
        int e = size++;
        offsets[e] = arenaUsed;
        lengths[e] = length;
        hashes[e] = h;
        counts[e] = 1;
        arenaUsed += length;
        return e;
    }

    private void rehash() {
        slots = newSlots(slots.length * 2);
        int mask = slots.length - 1;
        for (int e = 0; e < size; e++) {
            int slot = hashes[e] & mask;
            while (slots[slot] >= 0) slot = (slot + 1) & mask;
            slots[slot] = e;
        }
    }

    private static int hash(char[] chars, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) h = 31 * h + chars[i];
        return h ^ (h >>> 16) * 0x45d9f3b;
    }
}
