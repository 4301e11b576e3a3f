package org.sparkbert.tokenize.instances;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.masking.SpecialTokens;
import scala.Tuple2;

/**
 * The instances stage's distributed steps, shared by {@link InstancesJob} and the Spark ML stage of
 * the ml module: documents encoded into sentences of ids, numbered in the seed's shuffled order, and
 * cut into NSP, SOP or full-sentence instances. Every random choice is a pure function of the seed
 * and of document ids.
 */
public final class InstanceCutter {

    private InstanceCutter() {}

    /** Each (id, text) row, the first two columns, as a document of sentences of token ids. */
    public static JavaRDD<TokenizedDocument> encode(Dataset<Row> clean, Broadcast<Tokenizer> tokenizer) {
        return clean.javaRDD().mapPartitions(rows -> {
            DocumentEncoder encoder = new DocumentEncoder(tokenizer.value());
            return new Iterator<TokenizedDocument>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public TokenizedDocument next() {
                    Row row = rows.next();
                    return encoder.encode(row.getString(0), row.getString(1));
                }
            };
        });
    }

    /** Numbers the documents with text 0..D-1 in the seed's shuffled order. */
    public static JavaPairRDD<Long, TokenizedDocument> index(
            JavaRDD<TokenizedDocument> encoded, long seed, int partitions) {
        return encoded.filter(d -> d.docId() != null && d.sentenceCount() > 0)
                .sortBy(d -> DocumentOrder.of(seed, d.docId()), true, partitions)
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2, t._1));
    }

    /**
     * Pairs cut within each document; those that need a random next sentence travel to the document
     * they drew (a join on the document index) and take their B there.
     */
    private static JavaRDD<TrainingInstance> nextSentenceInstances(
            JavaPairRDD<Long, TokenizedDocument> indexed,
            long documents,
            InstanceShape shape,
            SpecialTokens specials,
            int dupes) {
        if (documents < 2) {
            throw new UsageException(
                    "Next-sentence pairs need at least two documents to draw random next sentences from;"
                            + " the clean corpus holds " + documents + ".");
        }
        NextSentencePairs nsp = new NextSentencePairs(shape);
        JavaRDD<PendingPair> pending = indexed.filter(t -> t._2.sentenceCount() >= 2)
                .flatMap(t -> {
                    List<PendingPair> pairs = new ArrayList<>();
                    for (int dupe = 0; dupe < dupes; dupe++) {
                        pairs.addAll(nsp.pairs(t._2, t._1, documents, dupe));
                    }
                    return pairs.iterator();
                })
                .persist(StorageLevel.MEMORY_AND_DISK());
        int maxPairTokens = shape.maxPairTokens();
        JavaRDD<TrainingInstance> trueNext =
                pending.filter(p -> !p.needsRandomNext()).map(p -> p.complete(maxPairTokens, specials));
        JavaRDD<TrainingInstance> randomNext = pending.filter(PendingPair::needsRandomNext)
                .mapToPair(p -> new Tuple2<>(p.otherDocument(), p))
                .join(indexed)
                .values()
                .map(t -> t._1.completeFrom(t._2, maxPairTokens, specials));
        return trueNext.union(randomNext);
    }

    private static JavaRDD<TrainingInstance> sentenceOrderInstances(
            JavaPairRDD<Long, TokenizedDocument> indexed, InstanceShape shape, SpecialTokens specials, int dupes) {
        SentenceOrderPairs sop = new SentenceOrderPairs(shape, specials);
        return indexed.filter(t -> t._2.sentenceCount() >= 2).flatMap(t -> {
            List<TrainingInstance> pairs = new ArrayList<>();
            for (int dupe = 0; dupe < dupes; dupe++) {
                pairs.addAll(sop.pairs(t._2, t._1, dupe));
            }
            return pairs.iterator();
        });
    }

    /** Packs fixed groups of consecutive documents, so that packing does not depend on the partitioning. */
    private static JavaRDD<TrainingInstance> fullSentenceInstances(
            JavaPairRDD<Long, TokenizedDocument> indexed,
            InstanceShape shape,
            SpecialTokens specials,
            int dupes,
            int groupSize,
            int partitions) {
        FullSentencePacker packer = new FullSentencePacker(shape, specials);
        return indexed.mapToPair(t -> new Tuple2<>(t._1 / groupSize, t))
                .groupByKey(partitions)
                .flatMap(group -> {
                    List<Tuple2<Long, TokenizedDocument>> members = new ArrayList<>();
                    group._2.forEach(members::add);
                    members.sort((x, y) -> Long.compare(x._1, y._1));
                    List<TokenizedDocument> docs =
                            members.stream().map(Tuple2::_2).toList();
                    List<TrainingInstance> out = new ArrayList<>();
                    for (int dupe = 0; dupe < dupes; dupe++) {
                        out.addAll(packer.pack(group._1, docs, dupe));
                    }
                    return out.iterator();
                });
    }

    /** The instances of one objective cut from the indexed documents (D of them), {@code dupes} rounds each. */
    public static JavaRDD<TrainingInstance> cut(
            Objective objective,
            JavaPairRDD<Long, TokenizedDocument> indexed,
            long documents,
            InstanceShape shape,
            SpecialTokens specials,
            int dupes,
            int packingGroupDocuments,
            int partitions) {
        return switch (objective) {
            case nsp -> nextSentenceInstances(indexed, documents, shape, specials, dupes);
            case sop -> sentenceOrderInstances(indexed, shape, specials, dupes);
            case mlm -> fullSentenceInstances(indexed, shape, specials, dupes, packingGroupDocuments, partitions);
        };
    }
}
