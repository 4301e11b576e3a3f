package org.sparkbert.ingest;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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

import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.StreamSupport;

/**
 * Reads the input files on the executors, one task per file with a streaming reader (a gzip file
 * cannot be split, and one reader per file keeps line numbers exact), and applies the page rules: the
 * {@link PageTable#PAGES} table, one row per input record. When there are fewer files than the
 * partitions asked for ({@code ingest.read.min_partitions}; by default the task slots Spark has, so
 * that every core cleans), the raw records are first spread by a shuffle; otherwise each file is
 * read and cleaned in one task, in one pass, and no record crosses a shuffle.
 */
final class PageReader {
    private PageReader() {
    }

    static Dataset<Row> read(SparkSession spark, List<InputFile> files, int maxRecordBytes, int minPartitions,
                             CleaningRules rules) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HadoopConf conf = new HadoopConf(spark.sparkContext().hadoopConfiguration());
        int partitions = minPartitions > 0 ? minPartitions : taskSlots(spark);
        if (files.size() >= partitions) {
            JavaRDD<Row> pages = jsc.parallelize(files, Math.max(1, files.size())).mapPartitions(part -> {
                PageFilter filter = new PageFilter(rules);
                Iterator<InputFile> inputs = part;
                return flatLazyMap(inputs, file -> lazyMap(InputFileReader.open(file, conf.get(), maxRecordBytes),
                        record -> page(rawRow(file, record), filter)));
            });
            return spark.createDataFrame(pages, PageTable.PAGES);
        }
        JavaRDD<Row> raw = jsc.parallelize(files, Math.max(1, files.size()))
                .flatMap(file -> lazyMap(InputFileReader.open(file, conf.get(), maxRecordBytes),
                        record -> rawRow(file, record)));
        Dataset<Row> records = spark.createDataFrame(raw, PageTable.RAW).repartition(partitions);
        return records.mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) rows -> {
                    PageFilter filter = new PageFilter(rules);
                    return lazyMap(rows, row -> page(row, filter));
                }, Encoders.row(PageTable.PAGES));
    }

    private static Row rawRow(InputFile file, InputRecord r) {
        if (r.position >= (1L << PageTable.POSITION_BITS)) {
            throw new IllegalStateException("Record at " + r.position + " of " + file.path
                    + " lies beyond the 2^40 positions a file may hold; split the file.");
        }
        long key = ((long) file.index << PageTable.POSITION_BITS) | r.position;
        return RowFactory.create(key, r.source, r.position, r.raw, r.reason, r.url, r.timestamp, r.text);
    }

    private static Row page(Row raw, PageFilter filter) {
        long key = raw.getLong(0);
        String source = raw.getString(1);
        long position = raw.getLong(2);
        String rawText = raw.getString(3);
        String reason = raw.getString(4);
        if (reason != null) {
            return RowFactory.create(key, source, position, rawText, reason, null, null, null, null, null, null, null);
        }
        String url = raw.getString(5);
        String text = raw.getString(7);
        String urlKey = url == null ? null : UrlNormaliser.normalise(url);
        String id = urlKey != null ? Hashes.id("url", urlKey) : Hashes.id("text", text);
        PageVerdict verdict = filter.judge(text);
        String cleaned = verdict.isKept() ? verdict.text : null;
        return RowFactory.create(key, source, position, rawText, verdict.reason, id, url, urlKey, raw.get(6), cleaned,
                cleaned == null ? null : Hashes.md5Hex(cleaned),
                SparkArrays.of(verdict.linesRemoved));
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
        return executors > 0 && cores > 0 ? executors * cores : spark.sparkContext().defaultParallelism();
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
                .map(f).iterator();
    }
}
