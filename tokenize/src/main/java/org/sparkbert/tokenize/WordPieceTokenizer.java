package org.sparkbert.tokenize;

import java.util.List;

/**
 * BERT's FullTokenizer: {@link BasicTokenizer}, then WordPiece greedy longest-match-first with
 * {@code ##} continuations, and {@code [UNK]} for a word that cannot be covered in full.
 *
 * <p>{@code max_input_chars_per_word} is pinned to {@value #MAX_INPUT_CHARS_PER_WORD} code points,
 * as Hugging Face's {@code WordPiece} and {@code BertTokenizer} use (Google's tokenization.py says
 * 200): a longer word becomes {@code [UNK]}.
 */
public final class WordPieceTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    public static final int MAX_INPUT_CHARS_PER_WORD = 100;
    public static final String CONTINUATION = "##";
    public static final String UNKNOWN = "[UNK]";

    private final String[] tokens;
    private final CharTrie trie;
    private final int continuationRoot;
    private final int unknownId;
    private final BasicTokenizer basic;

    /** @param vocabulary the tokens in id order (a validated vocab.txt); must hold {@code [UNK]} */
    public WordPieceTokenizer(List<String> vocabulary, boolean lowercase) {
        tokens = vocabulary.toArray(new String[0]);
        long chars = 0;
        for (String token : tokens) chars += token.length();
        trie = new CharTrie((int) Math.min(Integer.MAX_VALUE / 4, chars));
        for (int id = tokens.length - 1; id >= 0; id--) trie.put(tokens[id], id); // first id wins on duplicates
        continuationRoot = trie.walk(CharTrie.ROOT, CONTINUATION);
        int unk = trie.walk(CharTrie.ROOT, UNKNOWN);
        unknownId = unk < 0 ? -1 : trie.value(unk);
        if (unknownId < 0) throw new IllegalArgumentException("a WordPiece vocabulary needs the token " + UNKNOWN);
        basic = new BasicTokenizer(lowercase);
    }

    @Override
    public Kind kind() {
        return Kind.WORDPIECE;
    }

    public boolean lowercase() {
        return basic.lowercase();
    }

    @Override
    public int[] encode(String text) {
        IdList ids = new IdList(Math.max(16, text.length() / 4));
        encode(text, ids);
        return ids.toArray();
    }

    /** Appends the ids of a text to {@code out}: the allocation-free form for bulk encoding. */
    public void encode(String text, IdList out) {
        basic.tokenize(text, (chars, start, end) -> appendWordPieces(chars, start, end, out));
    }

    /** The BasicTokenizer's words of a text (before WordPiece). */
    public List<String> basicTokens(String text) {
        return basic.words(text);
    }

    private void appendWordPieces(char[] chars, int start, int end, IdList out) {
        if (end - start > MAX_INPUT_CHARS_PER_WORD
                && Character.codePointCount(chars, start, end - start) > MAX_INPUT_CHARS_PER_WORD) {
            out.add(unknownId);
            return;
        }
        int mark = out.size();
        int root = CharTrie.ROOT;
        int pos = start;
        while (pos < end) {
            int matchEnd = -1;
            int matchId = -1;
            int node = root;
            for (int j = pos; j < end && node >= 0; j++) {
                node = trie.child(node, chars[j]);
                if (node >= 0 && trie.value(node) >= 0) {
                    matchEnd = j + 1;
                    matchId = trie.value(node);
                }
            }
            if (matchEnd < 0) {
                out.truncate(mark);
                out.add(unknownId);
                return;
            }
            out.add(matchId);
            pos = matchEnd;
            root = continuationRoot;
            if (root < 0 && pos < end) {
                out.truncate(mark);
                out.add(unknownId);
                return;
            }
        }
    }

    @Override
    public String token(int id) {
        return tokens[id];
    }

    @Override
    public int id(String token) {
        int node = trie.walk(CharTrie.ROOT, token);
        return node < 0 ? -1 : trie.value(node);
    }

    @Override
    public int vocabularySize() {
        return tokens.length;
    }

    @Override
    public boolean continuesWord(int id) {
        return tokens[id].startsWith(CONTINUATION);
    }
}
