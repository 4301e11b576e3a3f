package org.sparkbert.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as GPT-2 and RoBERTa define it: GPT-2's pre-tokenisation pattern, the UTF-8 bytes
 * of each piece as {@link ByteLevel} symbols, then merges applied lowest rank first (leftmost on a
 * tie) until none applies. Pieces recur constantly in text, so their ids are cached.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    private static final long NO_MERGE = Long.MAX_VALUE;
    private static final int CACHE_LIMIT = 200_000;
    private static final char WORD_START = 'Ġ';

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final int[] byteIds = new int[256];
    private final PairTable merges;
    private final boolean[] special;
    private final boolean lowercase;
    private transient ConcurrentHashMap<String, int[]> cache;

    /**
     * @param vocabulary tokens in id order (vocab.json read into a list)
     * @param mergeList the merges in rank order, each as its two tokens
     * @param lowercase whether text is lower-cased first (a Lowercase normaliser in tokenizer.json)
     */
    public ByteLevelBpeTokenizer(List<String> vocabulary, List<String[]> mergeList, boolean lowercase) {
        tokens = vocabulary.toArray(new String[0]);
        ids = new HashMap<>(tokens.length * 2);
        for (int id = 0; id < tokens.length; id++) ids.put(tokens[id], id);
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw new IllegalArgumentException("a byte-level BPE vocabulary needs all 256 byte symbols; '"
                        + ByteLevel.charOf(b) + "' (byte " + b + ") is missing");
            }
            byteIds[b] = id;
        }
        merges = new PairTable(mergeList.size());
        boolean[] merged = new boolean[tokens.length];
        for (int rank = 0; rank < mergeList.size(); rank++) {
            String[] pair = mergeList.get(rank);
            Integer left = ids.get(pair[0]), right = ids.get(pair[1]), result = ids.get(pair[0] + pair[1]);
            if (left == null || right == null || result == null) {
                throw new IllegalArgumentException("merge " + (rank + 1) + " '" + pair[0] + " " + pair[1]
                        + "' uses a token that is not in the vocabulary");
            }
            if (merges.get(left, right, NO_MERGE) == NO_MERGE) merges.put(left, right, ((long) rank << 32) | result);
            merged[result] = true;
        }
        special = new boolean[tokens.length];
        for (int id = 0; id < tokens.length; id++) special[id] = tokens[id].length() > 1 && !merged[id];
        this.lowercase = lowercase;
    }

    @Override
    public Kind kind() {
        return Kind.BYTE_LEVEL_BPE;
    }

    public boolean lowercase() {
        return lowercase;
    }

    @Override
    public int[] encode(String text) {
        IdList out = new IdList(Math.max(16, text.length() / 3));
        encode(text, out);
        return out.toArray();
    }

    /** Appends the ids of a text to {@code out}. */
    public void encode(String text, IdList out) {
        if (lowercase) text = text.toLowerCase(Locale.ROOT);
        int n = text.length();
        int start = 0;
        while (start < n) {
            int end = Gpt2PreTokenizer.pieceEnd(text, start);
            int[] pieceIds = encodePiece(text.substring(start, end));
            for (int id : pieceIds) out.add(id);
            start = end;
        }
    }

    private int[] encodePiece(String piece) {
        ConcurrentHashMap<String, int[]> c = cache;
        if (c == null) cache = c = new ConcurrentHashMap<>();
        int[] cached = c.get(piece);
        if (cached != null) return cached;
        int[] result = mergeSymbols(piece.getBytes(StandardCharsets.UTF_8));
        if (c.size() >= CACHE_LIMIT) c.clear();
        c.put(piece, result);
        return result;
    }

    /**
     * Applies merges lowest rank first with a heap of (rank, position) candidates over a linked
     * list of symbols; a popped candidate whose pair has changed since it was pushed is skipped.
     */
    private int[] mergeSymbols(byte[] bytes) {
        int m = bytes.length;
        int[] symbol = new int[m];
        int[] next = new int[m];
        int[] prev = new int[m];
        for (int i = 0; i < m; i++) {
            symbol[i] = byteIds[bytes[i] & 0xFF];
            next[i] = i + 1 < m ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(Math.max(4, m));
        for (int i = 0; i + 1 < m; i++) pushCandidate(heap, symbol, i, i + 1);
        int alive = m;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            int right = next[pos];
            if (symbol[pos] < 0 || right < 0) continue;
            long merge = merges.get(symbol[pos], symbol[right], NO_MERGE);
            if (merge == NO_MERGE || (int) (merge >>> 32) != rank) continue;
            symbol[pos] = (int) merge;
            symbol[right] = -1;
            next[pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = pos;
            alive--;
            if (prev[pos] >= 0) pushCandidate(heap, symbol, prev[pos], pos);
            if (next[pos] >= 0) pushCandidate(heap, symbol, pos, next[pos]);
        }
        int[] result = new int[alive];
        int k = 0;
        for (int i = 0; i >= 0 && m > 0; i = next[i]) result[k++] = symbol[i];
        return result;
    }

    private void pushCandidate(LongHeap heap, int[] symbol, int left, int right) {
        long merge = merges.get(symbol[left], symbol[right], NO_MERGE);
        if (merge != NO_MERGE) heap.push((merge & 0xFFFFFFFF00000000L) | left);
    }

    @Override
    public String token(int id) {
        return tokens[id];
    }

    @Override
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public int vocabularySize() {
        return tokens.length;
    }

    /** A token continues a word unless it starts with {@code Ġ} (a space) or is a special token. */
    @Override
    public boolean continuesWord(int id) {
        return !special[id] && tokens[id].charAt(0) != WORD_START;
    }
}
