package org.sparkbert.ingest.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.sparkbert.ingest.Page;
import org.sparkbert.ingest.PageLayout;
import org.sparkbert.ingest.clean.PythonText;
import org.sparkbert.ingest.clean.SentenceCounter;
import scala.Tuple2;

/**
 * C4's line deduplication across the corpus ({@code remove_duplicate_text}): every line, keyed by the
 * MD5 of its stripped lower-cased text, belongs to the one page whose MD5(normalised URL) is smallest
 * (the id stands in for a page without URL; the input order breaks ties). Every other page loses that
 * line, a page loses its own repeated lines too, and a page left empty or with fewer sentences than the
 * minimum is dropped.
 *
 * <p>Only numbers move: each page's line hashes travel, packed in arrays of longs, to the partition
 * of their hash, which finds every line's owner ({@link LineOwners}); the lines a page lost travel back
 * to its page's partition ({@link PageLayout}) and meet the page there. Packed arrays instead of a
 * record per line keep the shuffle's serialisation cost negligible.
 */
public final class LineDedup {
    /** Longs per line record: the line hash (2), its page's owner hash (2), the page key. */
    private static final int RECORD = 5;

    private LineDedup() {}

    /**
     * @param docs the pages still in the corpus, laid out as {@code layout} says
     * @return the same pages, each with its new text and lines removed, or the reason it is dropped
     */
    public static JavaRDD<Page> apply(JavaRDD<Page> docs, PageLayout layout, int minSentences, int partitions) {
        JavaPairRDD<Long, long[]> lost = docs.mapPartitionsToPair(
                        pages -> new PackedBatches<>(pages, partitions, RECORD, LineDedup::pack))
                .partitionBy(new HashPartitioner(partitions))
                .mapPartitionsToPair(LineDedup::lostLines)
                .reduceByKey(layout.partitioner(), LineDedup::concat);
        return layout.withValues(docs, lost).mapPartitions(pages -> {
            SentenceCounter sentences = new SentenceCounter();
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED), false)
                    .map(p -> rewrite(p._1(), p._2(), sentences, minSentences))
                    .iterator();
        });
    }

    static Hash128 lineHash(String normalised) {
        return Hash128.of(Hashes.md5(normalised));
    }

    private static String normalised(String line) {
        return PythonText.strip(line).toLowerCase(Locale.ROOT);
    }

    /** A page's line records: each distinct line's hash with the page's owner hash and key, to the partition of the line. */
    private static void pack(Page page, PackedBatches<Page> out) {
        Hash128 owner = Hash128.of(Hashes.md5(page.urlKey != null ? page.urlKey : page.id));
        Set<Hash128> seen = new HashSet<>();
        for (String line : page.text.split("\n", -1)) {
            Hash128 h = lineHash(normalised(line));
            if (seen.add(h)) {
                out.add(out.partitionOf(h.hi()), h.hi(), h.lo(), owner.hi(), owner.lo(), page.key);
            }
        }
    }

    /** For one partition of line records: (page key, [hi, lo]) for each line a page holds but does not own. */
    private static Iterator<Tuple2<Long, long[]>> lostLines(Iterator<Tuple2<Integer, long[]>> batches) {
        List<long[]> all = new ArrayList<>();
        int records = 0;
        while (batches.hasNext()) {
            long[] b = batches.next()._2();
            all.add(b);
            records += b.length / RECORD;
        }
        LineOwners owners = new LineOwners(records);
        for (long[] b : all) {
            for (int i = 0; i < b.length; i += RECORD) {
                owners.offer(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4]);
            }
        }
        List<Tuple2<Long, long[]>> out = new ArrayList<>();
        for (long[] b : all) {
            for (int i = 0; i < b.length; i += RECORD) {
                if (owners.ownerKey(b[i], b[i + 1]) != b[i + 4]) {
                    out.add(new Tuple2<>(b[i + 4], new long[] {b[i], b[i + 1]}));
                }
            }
        }
        return out.iterator();
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static Page rewrite(Page page, long[] lostHashes, SentenceCounter sentences, int minSentences) {
        Set<Hash128> lost = new HashSet<>();
        if (lostHashes != null) {
            for (int i = 0; i < lostHashes.length; i += 2) {
                lost.add(new Hash128(lostHashes[i], lostHashes[i + 1]));
            }
        }
        String text = page.text;
        // Equal MD5s are equal normalised lines: repeats are found on the strings, and lines are hashed
        // only when the page has lost some to other pages.
        Set<String> seen = new HashSet<>();
        List<String> kept = new ArrayList<>();
        int removed = 0;
        for (String line : text.split("\n", -1)) {
            String normalised = normalised(line);
            if (!seen.add(normalised) || (!lost.isEmpty() && lost.contains(lineHash(normalised)))) {
                removed++;
            } else {
                kept.add(line);
            }
        }
        String newText = removed == 0 ? text : String.join("\n", kept);
        String reason = null;
        if (newText.isEmpty()) {
            reason = DuplicateReason.EMPTY_AFTER_LINE_DEDUP;
        } else if (removed > 0 && minSentences > 0 && sentences.count(newText) < minSentences) {
            // Unchanged pages are not recounted: ICU breaks sentences at line ends, so the per-line count
            // that admitted the page equals the count over its whole text.
            reason = DuplicateReason.TOO_FEW_SENTENCES_AFTER_LINE_DEDUP;
        }
        return page.afterLineDedup(newText, reason, removed);
    }
}
