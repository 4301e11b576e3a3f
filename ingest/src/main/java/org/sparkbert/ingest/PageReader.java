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
 * cannot be split, and one reader per file keeps line numbers exact), spreads the records over enough
 * partitions, and applies the page rules: the {@link PageTable#PAGES} table, one row per input record.
 */
final class PageReader {
    private PageReader() {
    }

    static Dataset<Row> read(SparkSession spark, List<InputFile> files, int maxRecordBytes, int minPartitions,
                             CleaningRules rules) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HadoopConf conf = new HadoopConf(spark.sparkContext().hadoopConfiguration());
        JavaRDD<Row> raw = jsc.parallelize(files, Math.max(1, files.size()))
                .flatMap(file -> lazyMap(InputFileReader.open(file, conf.get(), maxRecordBytes),
                        record -> rawRow(file, record)));
        Dataset<Row> records = spark.createDataFrame(raw, PageTable.RAW);
        int partitions = minPartitions > 0 ? minPartitions : spark.sparkContext().defaultParallelism();
        if (files.size() < partitions) {
            records = records.repartition(partitions);
        }
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

    static <A, B> Iterator<B> lazyMap(Iterator<A> in, Function<A, B> f) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(in, Spliterator.ORDERED), false)
                .map(f).iterator();
    }
}
