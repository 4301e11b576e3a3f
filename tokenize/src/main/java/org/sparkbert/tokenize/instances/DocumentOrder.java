package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import java.util.Comparator;
import org.sparkbert.tokenize.masking.StreamSeed;

/**
 * The seed's shuffled order of the documents (BERT shuffles its documents too): a hash of the seed
 * and the document id, ties broken by the id. It numbers the documents 0..D-1 the same way whatever
 * the partitioning, which is what lets any task draw a random document from the whole corpus.
 */
public record DocumentOrder(long rank, String docId) implements Comparable<DocumentOrder>, Serializable {
    private static final Comparator<DocumentOrder> ORDER =
            Comparator.comparingLong(DocumentOrder::rank).thenComparing(DocumentOrder::docId);

    public static DocumentOrder of(long seed, String docId) {
        return new DocumentOrder(StreamSeed.of(seed, StreamSeed.ofString(docId)), docId);
    }

    @Override
    public int compareTo(DocumentOrder other) {
        return ORDER.compare(this, other);
    }
}
