package org.sparkbert.evaluate.perplexity;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * Cuts a document's tokens into consecutive pieces of max-seq-length - 2 tokens, each scored as
 * [CLS] piece [SEP]. Sequences never span two documents, so a document's score does not depend on
 * its neighbours or on how Spark partitions the input; only a document's last piece is shorter.
 */
public final class SequencePacker implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final Tokenizer tokenizer;
    private final SpecialTokens specials;
    private final int maxSeqLength;

    public SequencePacker(Tokenizer tokenizer, int maxSeqLength) {
        if (maxSeqLength < 3) {
            throw new IllegalArgumentException(
                    "--max-seq-length must be at least 3 ([CLS], a token, [SEP]), not " + maxSeqLength);
        }
        this.tokenizer = tokenizer;
        this.specials = SpecialTokens.of(tokenizer);
        this.maxSeqLength = maxSeqLength;
    }

    public List<ScoringSequence> pack(Document document) {
        int[] tokens = tokenizer.encode(document.text());
        int piece = maxSeqLength - 2;
        long documentKey = fnv64(document.key());
        List<ScoringSequence> sequences = new ArrayList<>();
        for (int start = 0, chunk = 0; start < tokens.length; start += piece, chunk++) {
            int end = Math.min(tokens.length, start + piece);
            int[] ids = new int[end - start + 2];
            ids[0] = specials.cls();
            System.arraycopy(tokens, start, ids, 1, end - start);
            ids[ids.length - 1] = specials.sep();
            sequences.add(new ScoringSequence(documentKey ^ (chunk * GOLDEN), ids));
        }
        return sequences;
    }

    public List<ScoringSequence> packAll(List<Document> documents) {
        List<ScoringSequence> all = new ArrayList<>();
        for (Document d : documents) {
            all.addAll(pack(d));
        }
        return all;
    }

    private static long fnv64(String text) {
        long hash = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * FNV_PRIME;
        }
        return hash;
    }
}
