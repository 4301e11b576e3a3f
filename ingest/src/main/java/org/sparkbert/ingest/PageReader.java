package org.sparkbert.ingest;

import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.ingest.clean.CleaningRules;
import org.sparkbert.ingest.clean.PageFilter;
import org.sparkbert.ingest.clean.PageVerdict;
import org.sparkbert.ingest.dedup.Hashes;
import org.sparkbert.ingest.dedup.UrlNormaliser;
import org.sparkbert.ingest.read.HadoopConf;
import org.sparkbert.ingest.read.InputFile;
import org.sparkbert.ingest.read.InputFileReader;
import org.sparkbert.ingest.read.InputRecord;
import scala.Tuple2;

/**
 * Reads the input files on the executors, one task per file with a streaming reader (a gzip file
 * cannot be split, and one reader per file keeps line numbers exact), and applies the page rules: one
 * {@link Page} per input record. When there are fewer files than the partitions asked for
 * ({@code ingest.read.min_partitions}; by default the task slots Spark has, so that every core
 * cleans), the raw records are first spread by a shuffle on their keys; otherwise each file is read
 * and cleaned in one task, in one pass, and no record crosses a shuffle. Either way the pages end up
 * where {@link #layout} says.
 */
final class PageReader {
    private final List<InputFile> files;
    private final int partitions;

    PageReader(SparkSession spark, List<InputFile> files, int minPartitions) {
        this.files = files;
        this.partitions = minPartitions > 0 ? minPartitions : taskSlots(spark);
    }

    private boolean taskPerFile() {
        return files.size() >= partitions;
    }

    /** Where {@link #read} puts each page. */
    PageLayout layout() {
        return new PageLayout(taskPerFile() ? new FilePartitioner(files) : new HashPartitioner(partitions));
    }

    /** One page per input record, laid out as {@link #layout} says. */
    JavaRDD<Page> read(SparkSession spark, Broadcast<HadoopConf> conf, int maxRecordBytes, CleaningRules rules) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<InputFile> inputs = jsc.parallelize(files, Math.max(1, files.size()));
        if (taskPerFile()) {
            return inputs.mapPartitions(part -> {
                PageFilter filter = new PageFilter(rules);
                return flatLazyMap(
                        part,
                        file -> lazyMap(
                                InputFileReader.open(file, conf.value().get(), maxRecordBytes),
                                record -> page(file, record, filter)));
            });
        }
        Partitioner spread = layout().partitioner();
        return inputs.flatMapToPair(file -> lazyMap(
                        InputFileReader.open(file, conf.value().get(), maxRecordBytes),
                        record -> new Tuple2<>(key(file, record), new Tuple2<>(file, record))))
                .partitionBy(spread)
                .mapPartitions(part -> {
                    PageFilter filter = new PageFilter(rules);
                    return lazyMap(part, kv -> page(kv._2()._1(), kv._2()._2(), filter));
                });
    }

    private static long key(InputFile file, InputRecord r) {
        if (r.position >= (1L << Page.POSITION_BITS)) {
            throw new IllegalStateException("Record at " + r.position + " of " + file.path
                    + " lies beyond the 2^40 positions a file may hold; split the file.");
        }
        return Page.key(file.index, r.position);
    }

    private static Page page(InputFile file, InputRecord r, PageFilter filter) {
        long key = key(file, r);
        if (!r.isPage()) {
            return new Page(key, r.source, r.position, r.raw, r.reason, null, null, null, null, null, null, null, 0);
        }
        String urlKey = r.url == null ? null : UrlNormaliser.normalise(r.url);
        String id = urlKey != null ? Hashes.id("url", urlKey) : Hashes.id("text", r.text);
        PageVerdict verdict = filter.judge(r.text);
        String cleaned = verdict.isKept() ? verdict.text : null;
        return new Page(
                key,
                r.source,
                r.position,
                r.raw,
                verdict.reason,
                id,
                r.url,
                urlKey,
                r.timestamp,
                cleaned,
                cleaned == null ? null : Hashes.md5Hex(cleaned),
                verdict.linesRemoved,
                0);
    }

    /**
     * The cores Spark runs tasks on: N of {@code local[N]} (all of the machine's for {@code local[*]}), or
     * the executors registered so far times {@code spark.executor.cores}; Spark's default parallelism
     * where neither is known.
     */
    static int taskSlots(SparkSession spark) {
        String master = spark.sparkContext().master();
        java.util.regex.Matcher local = java.util.regex.Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?\\])?")
                .matcher(master);
        if (local.matches()) {
            String n = local.group(1);
            return n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
        }
        int executors = spark.sparkContext().statusTracker().getExecutorInfos().length - 1;
        int cores = spark.sparkContext().getConf().getInt("spark.executor.cores", 0);
        return executors > 0 && cores > 0
                ? executors * cores
                : spark.sparkContext().defaultParallelism();
    }

    /** The elements of {@code f(a)} for each {@code a}, one at a time (a stream's flatMap would buffer a whole file). */
    static <A, B> Iterator<B> flatLazyMap(Iterator<A> in, Function<A, Iterator<B>> f) {
        return new Iterator<B>() {
            private Iterator<B> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && in.hasNext()) {
                    current = f.apply(in.next());
                }
                return current.hasNext();
            }

            @Override
            public B next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    static <A, B> Iterator<B> lazyMap(Iterator<A> in, Function<A, B> f) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(in, Spliterator.ORDERED), false)
                .map(f)
                .iterator();
    }
}
