package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sparkbert.tokenize.masking.StreamSeed;

/**
 * BERT's next-sentence pairs of one document ({@code create_instances_from_document} of
 * google-research/bert): sentences gather into a chunk until the document's target length; a random
 * split point makes A; half of the chunks, and every chunk of a single sentence, take B from another
 * document drawn uniformly from the whole corpus (label 1), and the chunk's unused sentences are put
 * back to start the next chunk; the rest take the chunk's remaining sentences as B (label 0).
 *
 * <p>Two departures from BERT, both so that labels stay balanced and truthful. BERT closes a chunk
 * as soon as it reaches the target, so a long sentence, or any sentence of a document given a short
 * target, makes a chunk alone and always gets a random B: on the C4 sample 57% of the pairs were
 * random. Here no sentence is left to make a chunk alone: a chunk closes at the target only once it
 * holds two sentences, and not just before the document's last sentence; and a random-next pair
 * whose put-back would be the document's last sentence alone keeps that sentence in A instead. An
 * overlong pair is truncated to the maximum length as usual. And BERT tries
 * ten times to draw another document, then keeps whatever it drew, possibly its own; here the draw
 * is uniform over the other {@code documentCount - 1} documents, always another one.
 */
public final class NextSentencePairs implements Serializable {
    private static final long STREAM = 0x6E7370L;
    private final InstanceShape shape;

    public NextSentencePairs(InstanceShape shape) {
        this.shape = shape;
    }

    /**
     * @param doc           a document of at least two sentences
     * @param docIndex      its index among the {@code documentCount} documents of the corpus
     * @param dupe          the duplicate round ({@code --dupe-factor}), which draws different pairs
     */
    public List<PendingPair> pairs(TokenizedDocument doc, long docIndex, long documentCount, int dupe) {
        SplittableRandom rng = StreamSeed.random(shape.seed(), STREAM, dupe, StreamSeed.ofString(doc.docId()));
        int target = shape.targetLength(rng);
        List<PendingPair> out = new ArrayList<>();
        int chunkStart = 0;
        int chunkLength = 0;
        for (int i = 0; i < doc.sentenceCount(); i++) {
            chunkLength += doc.sentences()[i].length;
            int chunkSize = i + 1 - chunkStart;
            boolean full = chunkLength >= target && chunkSize >= 2 && i != doc.sentenceCount() - 2;
            if (i < doc.sentenceCount() - 1 && !full) {
                continue;
            }
            int aEnd = chunkStart + (chunkSize >= 2 ? 1 + rng.nextInt(chunkSize - 1) : 1);
            InstanceKey key = InstanceKey.of(shape.seed(), docIndex, dupe, out.size());
            if (chunkSize == 1 || rng.nextDouble() < 0.5) {
                if (aEnd == doc.sentenceCount() - 1) {
                    aEnd++;
                }
                int[] a = doc.tokens(chunkStart, aEnd);
                long other = otherDocument(rng, docIndex, documentCount);
                out.add(PendingPair.randomNext(key, doc.docId(), a, other, target - a.length));
                i = aEnd - 1;
            } else {
                out.add(PendingPair.trueNext(key, doc.docId(), doc.tokens(chunkStart, aEnd), doc.tokens(aEnd, i + 1)));
            }
            chunkStart = i + 1;
            chunkLength = 0;
        }
        return out;
    }

    private static long otherDocument(SplittableRandom rng, long docIndex, long documentCount) {
        long r = rng.nextLong(documentCount - 1);
        return r >= docIndex ? r + 1 : r;
    }
}
