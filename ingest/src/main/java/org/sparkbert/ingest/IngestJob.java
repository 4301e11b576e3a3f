package org.sparkbert.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkbert.ingest.clean.CleaningRules;
import org.sparkbert.ingest.clean.LineRule;
import org.sparkbert.ingest.dedup.ExactDedup;
import org.sparkbert.ingest.dedup.LineDedup;
import org.sparkbert.ingest.dedup.LshParameters;
import org.sparkbert.ingest.dedup.MinHasher;
import org.sparkbert.ingest.dedup.NearDedup;
import org.sparkbert.ingest.dedup.UrlDedup;
import org.sparkbert.ingest.read.FileChecksum;
import org.sparkbert.ingest.read.HadoopConf;
import org.sparkbert.ingest.read.InputFile;
import org.sparkbert.ingest.read.InputFiles;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * The ingest stage: raw C4-style shards to a clean, deduplicated corpus. Reads JSON lines and WET
 * files (any Hadoop FileSystem), applies C4's page rules and language identification, then removes
 * duplicates by URL, by exact text, by C4's line deduplication and by MinHash near-duplicate
 * detection, also against the outputs of earlier runs. Writes {@code clean/}, {@code rejects/} (every
 * dropped record and why), {@code _MANIFEST.json} and a report whose counts reconcile:
 * {@code records_in == records_out + sum(dropped)}, checked before the output is committed.
 */
@Command(name = "ingest", description = "Clean and deduplicate C4-style shards (JSON lines, WET) into clean/ Parquet.")
public final class IngestJob extends StageCommand {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH_OR_GLOB",
            description = "Input files, globs or directories (every file below a directory), on any Hadoop FileSystem.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The output directory.")
    String output;

    @Option(names = "--previous", arity = "1..*", split = ",", paramLabel = "DIR",
            description = "Earlier ingest outputs (repeated, or comma-separated for schedulers that pass one"
                    + " argument): their input files are skipped and their pages count as seen.")
    List<String> previous = new ArrayList<>();

    private List<InputFile> files;

    public static void main(String[] args) {
        StageCommand.main(new IngestJob(), args);
    }

    @Override
    protected String stageName() {
        return "ingest";
    }

    @Override
    protected List<String> confFiles() {
        return List.of("ingest.properties");
    }

    @Override
    protected String outputPath() {
        return output;
    }

    @Override
    protected Map<String, Object> arguments() {
        Map<String, Object> m = new TreeMap<>();
        m.put("input", inputs);
        m.put("output", output);
        m.put("previous", previous);
        return m;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        checkSettings(settings);
        files = InputFiles.expand(inputs, hadoopConf);
        for (String dir : previous) {
            checkPreviousOutput(dir, hadoopConf);
        }
    }

    private static void checkSettings(Settings s) {
        double threshold = s.number("ingest.dedup.near.threshold");
        if (!(threshold > 0 && threshold <= 1)) {
            throw new UsageException("Setting 'ingest.dedup.near.threshold' must lie in (0, 1], not " + threshold + ".");
        }
        for (String key : List.of("ingest.dedup.near.permutations", "ingest.dedup.near.ngram",
                "ingest.read.max_record_bytes", "ingest.dedup.near.max_iterations")) {
            if (s.integer(key) < 1) {
                throw new UsageException("Setting '" + key + "' must be at least 1, not " + s.integer(key) + ".");
            }
        }
        int bands = s.integer("ingest.dedup.near.bands");
        int rows = s.integer("ingest.dedup.near.rows");
        if ((bands == 0) != (rows == 0) || bands < 0 || rows < 0
                || (long) bands * rows > s.integer("ingest.dedup.near.permutations")) {
            throw new UsageException("Settings 'ingest.dedup.near.bands' and 'ingest.dedup.near.rows' must both be 0"
                    + " (chosen for the threshold) or both positive with bands x rows <= ingest.dedup.near.permutations.");
        }
    }

    private static void checkPreviousOutput(String dir, Configuration conf) {
        try {
            Path p = new Path(dir);
            FileSystem fs = p.getFileSystem(conf);
            JsonNode report = fs.exists(p) ? StageOutput.readReport(fs, p) : null;
            if (report == null || !report.path("complete").asBoolean(false)
                    || !"ingest".equals(report.path("stage").asText())) {
                throw new UsageException("--previous " + dir + " is not a complete ingest output (no _REPORT.json of a"
                        + " finished ingest run there).");
            }
        } catch (IOException e) {
            throw new UsageException("Cannot read --previous " + dir + ": " + e.getMessage());
        }
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput out, StageReport report) throws Exception {
        // The pages cached between the steps: compressing them (Spark's default) cost more CPU than the
        // whole bare JSON-to-Parquet copy spends reading; the setting is put back for the session's next user.
        String compressed = "spark.sql.inMemoryColumnarStorage.compressed";
        String before = spark.conf().get(compressed, null);
        spark.conf().set(compressed, settings.flag("ingest.cache.compressed"));
        try {
            runSteps(spark, settings, out, report);
        } finally {
            if (before == null) {
                spark.conf().unset(compressed);
            } else {
                spark.conf().set(compressed, before);
            }
        }
    }

    private void runSteps(SparkSession spark, Settings settings, StageOutput out, StageReport report) throws Exception {
        Progress progress = new Progress(spark, log, 8);
        Configuration conf = spark.sparkContext().hadoopConfiguration();

        progress.begin("checksum", "checksum " + files.size() + " input files");
        List<InputFile> toRead = skipKnownFiles(spark, conf, out);
        report.count("input_files", files.size());
        report.count("input_files_skipped", files.size() - toRead.size());
        report.endPhase("checksum");

        progress.begin("read_and_clean", "read and clean " + toRead.size() + " files");
        CleaningRules rules = new CleaningRules(settings);
        Dataset<Row> pages = PageReader.read(spark, toRead, settings.integer("ingest.read.max_record_bytes"),
                settings.integer("ingest.read.min_partitions"), rules).persist(StorageLevel.MEMORY_AND_DISK());
        long recordsIn = countPages(pages, report);
        report.endPhase("read_and_clean");

        Dataset<Row> previousPages = previousPages(spark);
        Dataset<Row> docs = pages.where(col("reason").isNull())
                .select("key", "id", "url", "url_key", "timestamp", "text", "source", "text_hash");
        List<Dataset<Row>> drops = new ArrayList<>();

        progress.begin("dedup_url", "one page per URL");
        if (settings.flag("ingest.dedup.url.enabled")) {
            docs = dropped(docs, persisted(UrlDedup.drops(docs), "URL duplicates"), drops);
        }
        report.endPhase("dedup_url");

        progress.begin("dedup_exact", "exact duplicates");
        if (settings.flag("ingest.dedup.exact.enabled")) {
            docs = dropped(docs, persisted(ExactDedup.drops(docs, previousPages), "exact duplicates"), drops);
        }
        report.endPhase("dedup_exact");

        progress.begin("dedup_lines", "line deduplication");
        Dataset<Row> alive = PageTable.asDocs(docs);
        if (settings.flag("ingest.dedup.lines.enabled")) {
            Dataset<Row> lined = LineDedup.apply(alive, rules.sentenceMinimum()).persist(StorageLevel.MEMORY_AND_DISK());
            Row removed = lined.agg(sum("lines_removed"), count(when(col("reason").isNotNull(), 1))).first();
            report.count("lines_removed_line_dedup", removed.isNullAt(0) ? 0 : removed.getLong(0));
            log.info("line deduplication: {} lines removed, {} pages dropped", removed.get(0), removed.getLong(1));
            drops.add(lined.where(col("reason").isNotNull())
                    .select(col("key"), col("reason"), lit(null).cast("string").as("survivor_id")));
            alive = PageTable.asDocs(lined.where(col("reason").isNull()));
        }
        alive = alive.persist(StorageLevel.MEMORY_AND_DISK());
        report.endPhase("dedup_lines");

        progress.begin("dedup_near", "near duplicates (MinHash LSH)");
        if (settings.flag("ingest.dedup.near.enabled")) {
            NearDedup.Outcome near = nearDedup(settings, report).drops(alive, previousPages);
            report.count("near_candidate_pairs", near.candidatePairs);
            report.count("near_verified_pairs", near.verifiedPairs);
            alive = dropped(alive, persisted(near.drops, "near duplicates"), drops);
        }
        report.endPhase("dedup_near");

        progress.begin("write", "write clean/ and rejects/");
        String cleanPath = new Path(out.work(), "clean").toString();
        String rejectsPath = new Path(out.work(), "rejects").toString();
        alive.select("id", "url", "timestamp", "text", "source").write().parquet(cleanPath);
        rejects(pages, drops).write().parquet(rejectsPath);
        report.endPhase("write");

        progress.begin("reconcile", "count and reconcile");
        reconcile(spark, recordsIn, cleanPath, rejectsPath, report);
        report.endPhase("reconcile");
        progress.done();
        report.put("cpu_seconds", progress.cpuSeconds());
        pages.unpersist();
    }

    /** Checksums every input on the executors, writes the manifest, returns the files no earlier output holds. */
    private List<InputFile> skipKnownFiles(SparkSession spark, Configuration conf, StageOutput out) throws IOException {
        HadoopConf shipped = new HadoopConf(conf);
        List<String> sums = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(files, Math.max(1, Math.min(files.size(), spark.sparkContext().defaultParallelism() * 4)))
                .map(f -> FileChecksum.sha256(f.path, shipped.get()))
                .collect();
        Set<String> known = new HashSet<>();
        for (String dir : previous) {
            Path p = new Path(dir);
            for (Manifest.Entry e : Manifest.read(p.getFileSystem(conf), p)) {
                known.add(e.identity());
            }
        }
        List<InputFile> toRead = new ArrayList<>();
        List<Manifest.Entry> entries = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            InputFile f = files.get(i);
            Manifest.Entry entry = new Manifest.Entry(f.path, f.size, sums.get(i), Manifest.INGESTED);
            if (known.contains(entry.identity())) {
                entries.add(new Manifest.Entry(f.path, f.size, sums.get(i), Manifest.SKIPPED));
                log.info("skipping {}: an earlier output already ingested a file of this size and checksum", f.path);
            } else {
                entries.add(entry);
                toRead.add(f);
            }
        }
        out.writeText(Manifest.FILE_NAME, Manifest.toJson(entries));
        return toRead;
    }

    private Dataset<Row> previousPages(SparkSession spark) {
        Dataset<Row> all = null;
        for (String dir : previous) {
            Dataset<Row> one = spark.read().parquet(new Path(dir, "clean").toString()).select("id", "text");
            all = all == null ? one : all.unionByName(one);
        }
        return all;
    }

    private NearDedup nearDedup(Settings s, StageReport report) {
        int permutations = s.integer("ingest.dedup.near.permutations");
        double threshold = s.number("ingest.dedup.near.threshold");
        LshParameters lsh = s.integer("ingest.dedup.near.bands") > 0
                ? LshParameters.of(s.integer("ingest.dedup.near.bands"), s.integer("ingest.dedup.near.rows"))
                : LshParameters.optimal(threshold, permutations);
        log.info("near duplicates: {} permutations, {}, Jaccard threshold {}", permutations, lsh, threshold);
        report.put("minhash", Map.of("permutations", permutations, "bands", lsh.bands, "rows", lsh.rows,
                "threshold", threshold, "ngram", s.integer("ingest.dedup.near.ngram")));
        MinHasher hasher = new MinHasher(permutations, lsh.bands, lsh.rows, s.longValue("ingest.dedup.near.seed"));
        return new NearDedup(hasher, s.integer("ingest.dedup.near.ngram"), threshold,
                s.integer("ingest.dedup.near.max_bucket_for_all_pairs"), s.integer("ingest.dedup.near.max_iterations"));
    }

    private Dataset<Row> persisted(Dataset<Row> drops, String what) {
        Dataset<Row> kept = drops.persist(StorageLevel.MEMORY_AND_DISK());
        log.info("{}: {} pages dropped", what, kept.count());
        return kept;
    }

    /** Records the drops and returns the pages they leave. */
    private static Dataset<Row> dropped(Dataset<Row> pages, Dataset<Row> drops, List<Dataset<Row>> all) {
        all.add(drops);
        return pages.join(drops.select(col("key").as("drop_key")), col("key").equalTo(col("drop_key")), "left_anti");
    }

    /** One pass over the cached pages: how many records, how many passed the page rules, the lines each rule removed. */
    private long countPages(Dataset<Row> pages, StageReport report) {
        LineRule[] lineRules = LineRule.values();
        Column kept = col("reason").isNull();
        Column[] more = new Column[lineRules.length + 1];
        more[0] = count(when(kept, 1));
        for (int i = 0; i < lineRules.length; i++) {
            more[i + 1] = sum(when(kept, element_at(col("lines_removed"), i + 1)));
        }
        Row totals = pages.agg(count(lit(1)), more).first();
        for (int i = 0; i < lineRules.length; i++) {
            report.count(lineRules[i].counter, totals.isNullAt(i + 2) ? 0 : totals.getLong(i + 2));
        }
        log.info("read {} records; {} passed the page rules", totals.getLong(0), totals.getLong(1));
        return totals.getLong(0);
    }

    /** Every dropped record: bad input and pages dropped by a rule as read, duplicates with their survivor. */
    private static Dataset<Row> rejects(Dataset<Row> pages, List<Dataset<Row>> drops) {
        Dataset<Row> byRule = pages.where(col("reason").isNotNull())
                .select(col("source"), col("position"), col("reason"), lit(null).cast("string").as("survivor_id"),
                        col("id"), col("url"), col("timestamp"), col("raw"));
        if (drops.isEmpty()) {
            return byRule;
        }
        Dataset<Row> allDrops = drops.get(0);
        for (Dataset<Row> d : drops.subList(1, drops.size())) {
            allDrops = allDrops.unionByName(d);
        }
        Dataset<Row> renamed = allDrops.select(col("key").as("drop_key"), col("reason").as("drop_reason"),
                col("survivor_id"));
        Dataset<Row> duplicates = pages.join(renamed, col("key").equalTo(col("drop_key")))
                .select(col("source"), col("position"), col("drop_reason").as("reason"), col("survivor_id"),
                        col("id"), col("url"), col("timestamp"), col("raw"));
        return byRule.unionByName(duplicates);
    }

    /** Counts what was written and refuses to commit an output whose counts do not add up. */
    private void reconcile(SparkSession spark, long recordsIn, String cleanPath, String rejectsPath, StageReport report) {
        long recordsOut = spark.read().parquet(cleanPath).count();
        Map<String, Long> dropped = new TreeMap<>();
        for (Row r : spark.read().parquet(rejectsPath).groupBy("reason").count().collectAsList()) {
            dropped.put(r.getString(0), r.getLong(1));
        }
        long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
        report.put("records_in", recordsIn);
        report.put("records_out", recordsOut);
        report.put("dropped", dropped);
        log.info("counts: {} in, {} out, {} dropped {}", recordsIn, recordsOut, droppedTotal, dropped);
        if (recordsIn != recordsOut + droppedTotal) {
            throw new IllegalStateException("The counts do not reconcile: " + recordsIn + " records in, " + recordsOut
                    + " out and " + droppedTotal + " dropped " + dropped + "; the output is not committed.");
        }
    }
}
