package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sparkbert.tokenize.masking.SpecialTokens;
import org.sparkbert.tokenize.masking.StreamSeed;

/**
 * ALBERT's sentence-order pairs of one document: chunks cut as BERT cuts them, A a random prefix
 * of the chunk, B the true rest of it, and half of the pairs swapped (label 1). ALBERT gives a chunk
 * of one sentence a B from another document, also labelled 1; here a label means only "swapped", so
 * a chunk grows until it holds two sentences, and a lone last sentence joins the chunk before it
 * (truncation then trims the overlong pair).
 */
public final class SentenceOrderPairs implements Serializable {
    private static final long STREAM = 0x736F70L;
    private final InstanceShape shape;
    private final SpecialTokens specials;

    public SentenceOrderPairs(InstanceShape shape, SpecialTokens specials) {
        this.shape = shape;
        this.specials = specials;
    }

    /** @param doc a document of at least two sentences */
    public List<TrainingInstance> pairs(TokenizedDocument doc, long docIndex, int dupe) {
        SplittableRandom rng = StreamSeed.random(shape.seed(), STREAM, dupe, StreamSeed.ofString(doc.docId()));
        int target = shape.targetLength(rng);
        List<TrainingInstance> out = new ArrayList<>();
        for (int[] chunk : chunks(doc, target)) {
            int aEnd = chunk[0] + 1 + rng.nextInt(chunk[1] - chunk[0] - 1);
            int[] a = doc.tokens(chunk[0], aEnd);
            int[] b = doc.tokens(aEnd, chunk[1]);
            boolean swap = rng.nextDouble() < 0.5;
            InstanceKey key = InstanceKey.of(shape.seed(), docIndex, dupe, out.size());
            out.add(PairLayout.instance(
                    key, doc.docId(), swap ? b : a, swap ? a : b, swap ? 1 : 0, shape.maxPairTokens(), specials));
        }
        return out;
    }

    /** Sentence ranges {@code [from, to)} of at least two sentences each, reaching the target length where the document allows. */
    static List<int[]> chunks(TokenizedDocument doc, int target) {
        List<int[]> chunks = new ArrayList<>();
        int n = doc.sentenceCount();
        int start = 0;
        int length = 0;
        for (int i = 0; i < n; i++) {
            length += doc.sentences()[i].length;
            boolean full = length >= target && i - start >= 1;
            if (full || i == n - 1) {
                if (i - start >= 1) {
                    chunks.add(new int[] {start, i + 1});
                } else if (!chunks.isEmpty()) {
                    chunks.get(chunks.size() - 1)[1] = i + 1;
                }
                start = i + 1;
                length = 0;
            }
        }
        return chunks;
    }
}
