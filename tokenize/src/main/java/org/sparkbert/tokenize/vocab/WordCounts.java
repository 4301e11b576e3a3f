package org.sparkbert.tokenize.vocab;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sparkbert.tokenize.WordSplitter;
import scala.Tuple2;

/**
 * The distinct words of the corpus and how often each occurs, counted by Spark across the cluster
 * (each task counts its partition in a {@link WordCountTable}, then the counts are summed by word). Only the
 * {@code maxWords} most frequent words come back to the driver, which bounds its memory; the cut is
 * reported. Words are sorted, so the merge loop sees the same input whatever the partitioning.
 */
record WordCounts(
        String[] words,
        long[] counts,
        long distinctWords,
        long wordsCut,
        long occurrences,
        long occurrencesCut,
        long documents) {

    static WordCounts count(JavaRDD<String> texts, WordSplitter splitter, long maxWords, int partitions) {
        LongAccumulator documents = texts.context().longAccumulator("documents");
        // a corpus in fewer files than cores would otherwise be counted by fewer cores than there are
        JavaRDD<String> spread = texts.getNumPartitions() < partitions ? texts.repartition(partitions) : texts;
        // each task has already summed its own words: no second map-side combine, and Kryo on the shuffle
        Function<Long, Long> first = c -> c;
        Function2<Long, Long, Long> sum = Long::sum;
        JavaPairRDD<String, Long> counts = spread.mapPartitionsToPair(it -> countPartition(it, splitter, documents))
                .combineByKey(
                        first,
                        sum,
                        sum,
                        new HashPartitioner(partitions),
                        false,
                        new KryoSerializer(texts.context().getConf()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Tuple2<Long, Long> totals = counts.aggregate(
                    new Tuple2<>(0L, 0L),
                    (t, wc) -> new Tuple2<>(t._1 + 1, t._2 + wc._2),
                    (x, y) -> new Tuple2<>(x._1 + y._1, x._2 + y._2));
            long distinct = totals._1;
            List<Tuple2<String, Long>> kept = distinct <= maxWords
                    ? counts.collect()
                    : counts.takeOrdered((int) maxWords, new MostFrequentFirst());
            kept = new ArrayList<>(kept);
            kept.sort(Comparator.comparing(Tuple2::_1));
            String[] words = new String[kept.size()];
            long[] wordCounts = new long[kept.size()];
            long keptOccurrences = 0;
            for (int i = 0; i < words.length; i++) {
                words[i] = kept.get(i)._1;
                wordCounts[i] = kept.get(i)._2;
                keptOccurrences += wordCounts[i];
            }
            return new WordCounts(
                    words,
                    wordCounts,
                    distinct,
                    distinct - words.length,
                    totals._2,
                    totals._2 - keptOccurrences,
                    documents.value());
        } finally {
            counts.unpersist(false);
        }
    }

    private static Iterator<Tuple2<String, Long>> countPartition(
            Iterator<String> texts, WordSplitter splitter, LongAccumulator documents) {
        WordCountTable local = new WordCountTable();
        long docs = 0;
        while (texts.hasNext()) {
            splitter.split(texts.next(), local::add);
            docs++;
        }
        documents.add(docs);
        List<Tuple2<String, Long>> out = new ArrayList<>(local.size());
        local.forEach((word, c) -> out.add(new Tuple2<>(splitter.trainingForm(word), c)));
        return out.iterator();
    }

    /** Higher count first, then the word, so that the cut at --max-words is deterministic. */
    static final class MostFrequentFirst implements Comparator<Tuple2<String, Long>>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Tuple2<String, Long> x, Tuple2<String, Long> y) {
            int byCount = Long.compare(y._2, x._2);
            return byCount != 0 ? byCount : x._1.compareTo(y._1);
        }
    }

    /** For tests and the merge loop: the counts as given, already sorted. */
    static WordCounts of(Map<String, Long> counts) {
        String[] words = counts.keySet().toArray(new String[0]);
        Arrays.sort(words);
        long[] c = new long[words.length];
        long total = 0;
        for (int i = 0; i < words.length; i++) total += c[i] = counts.get(words[i]);
        return new WordCounts(words, c, words.length, 0, total, 0, 0);
    }
}
