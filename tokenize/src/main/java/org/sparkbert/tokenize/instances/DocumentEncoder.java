package org.sparkbert.tokenize.instances;

import java.util.ArrayList;
import java.util.List;
import org.sparkbert.tokenize.Tokenizer;

/**
 * Turns a document's text into sentences of token ids. Byte-level BPE marks a word start by the
 * space before it, so a sentence that followed whitespace in the text is encoded with one leading
 * space: its first word then gets the same token it has in the running text. Sentences that encode
 * to nothing are dropped. Not thread-safe: one per task.
 */
public final class DocumentEncoder {
    private final Tokenizer tokenizer;
    private final SentenceSplitter splitter = new SentenceSplitter();

    public DocumentEncoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public TokenizedDocument encode(String docId, String text) {
        List<int[]> sentences = new ArrayList<>();
        if (text != null) {
            boolean spaceMarksWords = tokenizer.kind() == Tokenizer.Kind.BYTE_LEVEL_BPE;
            for (SentenceSplitter.Sentence s : splitter.split(text)) {
                int[] ids = tokenizer.encode(spaceMarksWords && s.afterSpace() ? " " + s.text() : s.text());
                if (ids.length > 0) {
                    sentences.add(ids);
                }
            }
        }
        return new TokenizedDocument(docId, sentences.toArray(new int[0][]));
    }
}
