package org.sparkbert.tokenize.instances;

import org.sparkbert.tokenize.masking.StreamSeed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * BERT's next-sentence pairs of one document ({@code create_instances_from_document} of
 * google-research/bert): sentences gather into a chunk until the document's target length; a random
 * split point makes A; half of the chunks, and every chunk of a single sentence, take B from another
 * document drawn uniformly from the whole corpus (label 1), and the chunk's unused sentences are put
 * back to start the next chunk; the rest take the chunk's remaining sentences as B (label 0).
 * Unlike BERT, which tries ten times to draw another document and then gives up, the draw is always
 * another document: uniform over the other {@code documentCount - 1}.
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
            if (i < doc.sentenceCount() - 1 && chunkLength < target) {
                continue;
            }
            int chunkSize = i + 1 - chunkStart;
            int aEnd = chunkStart + (chunkSize >= 2 ? 1 + rng.nextInt(chunkSize - 1) : 1);
            int[] a = doc.tokens(chunkStart, aEnd);
            InstanceKey key = InstanceKey.of(shape.seed(), docIndex, dupe, out.size());
            if (chunkSize == 1 || rng.nextDouble() < 0.5) {
                long other = otherDocument(rng, docIndex, documentCount);
                out.add(PendingPair.randomNext(key, doc.docId(), a, other, target - a.length));
                i = aEnd - 1;
            } else {
                out.add(PendingPair.trueNext(key, doc.docId(), a, doc.tokens(aEnd, i + 1)));
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
