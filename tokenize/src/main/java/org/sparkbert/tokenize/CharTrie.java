package org.sparkbert.tokenize;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A trie of vocabulary strings over UTF-16 chars, for WordPiece's greedy longest match: one walk
 * from a start position finds the longest vocabulary entry there, where trying every shorter
 * substring against a hash set would allocate a string per try. Edges live in one open-addressing
 * table keyed by (node, char), so the whole trie is a few primitive arrays.
 */
final class CharTrie implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int ROOT = 0;
    private static final long EMPTY = -1L;

    private long[] edgeKeys;
    private int[] edgeTargets;
    private int edgeCount;
    private int[] nodeValues = new int[1024];
    private int nodeCount = 1;

    CharTrie(int expectedNodes) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedNodes * 2 - 1)) << 1;
        edgeKeys = new long[capacity];
        Arrays.fill(edgeKeys, EMPTY);
        edgeTargets = new int[capacity];
        nodeValues[ROOT] = -1;
    }

    /** Adds a string ending at a node holding {@code value} (>= 0); a later put of the same string wins. */
    void put(CharSequence key, int value) {
        int node = ROOT;
        for (int i = 0; i < key.length(); i++) {
            int next = child(node, key.charAt(i));
            node = next >= 0 ? next : addChild(node, key.charAt(i));
        }
        nodeValues[node] = value;
    }

    /** The node reached from {@code node} by {@code c}, or -1. */
    int child(int node, char c) {
        long key = ((long) node << 16) | c;
        int mask = edgeKeys.length - 1;
        int slot = hash(key) & mask;
        while (true) {
            long k = edgeKeys[slot];
            if (k == key) return edgeTargets[slot];
            if (k == EMPTY) return -1;
            slot = (slot + 1) & mask;
        }
    }

    /** The value stored at a node, or -1 when no string ends there. */
    int value(int node) {
        return nodeValues[node];
    }

    /** The node a whole string leads to, or -1. */
    int walk(int from, CharSequence path) {
        int node = from;
        for (int i = 0; i < path.length() && node >= 0; i++) node = child(node, path.charAt(i));
        return node;
    }

    private int addChild(int node, char c) {
        if ((edgeCount + 1) * 2 > edgeKeys.length) growEdges();
        if (nodeCount == nodeValues.length) nodeValues = Arrays.copyOf(nodeValues, nodeCount * 2);
        int created = nodeCount++;
        nodeValues[created] = -1;
        insertEdge(((long) node << 16) | c, created);
        edgeCount++;
        return created;
    }

    private void insertEdge(long key, int target) {
        int mask = edgeKeys.length - 1;
        int slot = hash(key) & mask;
        while (edgeKeys[slot] != EMPTY) slot = (slot + 1) & mask;
        edgeKeys[slot] = key;
        edgeTargets[slot] = target;
    }

    private void growEdges() {
        long[] oldKeys = edgeKeys;
        int[] oldTargets = edgeTargets;
        edgeKeys = new long[oldKeys.length * 2];
        Arrays.fill(edgeKeys, EMPTY);
        edgeTargets = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) insertEdge(oldKeys[i], oldTargets[i]);
        }
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
