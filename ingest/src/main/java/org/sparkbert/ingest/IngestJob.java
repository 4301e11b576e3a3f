package org.sparkbert.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkbert.ingest.clean.CleaningRules;
import org.sparkbert.ingest.clean.LineRule;
import org.sparkbert.ingest.dedup.Drop;
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
import org.sparkbert.ingest.read.LocationFreeRDD;
import org.sparkbert.ingest.split.ValidationSplit;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ingest stage: raw C4-style shards to a clean, deduplicated corpus. Reads JSON lines and WET
 * files (any Hadoop FileSystem), applies C4's page rules and language identification, then removes
 * duplicates by URL, by exact text, by MinHash near-duplicate detection (whole pages, before line
 * deduplication splits them) and by C4's line deduplication, also against the outputs of earlier
 * runs. Writes {@code clean/}, the held-out pages in {@code validation/} (same schema, chosen by
 * {@link ValidationSplit}), {@code rejects/} (every dropped record and why), {@code _MANIFEST.json}
 * and a report whose counts reconcile: {@code records_in == records_clean + records_validation +
 * sum(dropped)}, checked before the output is committed.
 */
@Command(name = "ingest", description = "Clean and deduplicate C4-style shards (JSON lines, WET) into clean/ Parquet.")
public final class IngestJob extends StageCommand {
    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            paramLabel = "PATH_OR_GLOB",
            description = "Input files, globs or directories (every file below a directory), on any Hadoop FileSystem.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The output directory.")
    String output;

    @Option(
            names = "--previous",
            arity = "1..*",
            split = ",",
            paramLabel = "DIR",
            description = "Earlier ingest outputs (repeated, or comma-separated for schedulers that pass one"
                    + " argument): their input files are skipped and their pages count as seen.")
    List<String> previous = new ArrayList<>();

    private static final String VALIDATION_FRACTION = "ingest.split.validation_fraction";

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
    protected void validate(Settings settings, Configuration hadoopConf) {
        checkSettings(settings);
        files = InputFiles.expand(inputs, hadoopConf);
        for (String dir : previous) {
            checkPreviousOutput(dir, hadoopConf);
        }
    }

    /** The output is stale when the input listing differs from its manifest: files arrived, changed size or went. */
    @Override
    protected String staleness(StageOutput out, Configuration hadoopConf) {
        List<Manifest.Entry> recorded;
        try {
            recorded = Manifest.read(out.fileSystem(), out.path());
        } catch (IOException e) {
            throw new UsageException("Cannot read " + Manifest.FILE_NAME + " of " + out.path() + ": " + e.getMessage());
        }
        InputListingChange change = InputListingChange.between(recorded, files);
        if (change.isEmpty()) {
            return null;
        }
        return "Output " + out.path() + " is complete, but the input listing changed since it was written: " + change
                + ". To ingest only the new files, write a new output and name this one as earlier: --input "
                + String.join(" ", inputs) + " --output NEW_DIR --previous " + out.path()
                + " (files it already holds are skipped by size and checksum). Or pass --overwrite to ingest"
                + " everything again into " + out.path() + ".";
    }

    /** Each key's own range is checked as the settings load; what is left is how keys relate. */
    private static void checkSettings(Settings s) {
        int bands = s.integer("ingest.dedup.near.bands");
        int rows = s.integer("ingest.dedup.near.rows");
        double heldOut = s.number(VALIDATION_FRACTION);
        if (!(heldOut >= 0 && heldOut < 1)) {
            throw new UsageException("Setting '" + VALIDATION_FRACTION + "' must lie in [0, 1), not " + heldOut + ".");
        }
        if ((bands == 0) != (rows == 0)
                || bands < 0
                || rows < 0
                || (long) bands * rows > s.integer("ingest.dedup.near.permutations")) {
            throw new UsageException(
                    "Settings 'ingest.dedup.near.bands' and 'ingest.dedup.near.rows' must both be 0"
                            + " (chosen for the threshold) or both positive with bands x rows <= ingest.dedup.near.permutations.");
        }
    }

    private static void checkPreviousOutput(String dir, Configuration conf) {
        try {
            Path p = new Path(dir);
            FileSystem fs = p.getFileSystem(conf);
            JsonNode report = fs.exists(p) ? StageOutput.readReport(fs, p) : null;
            if (report == null
                    || !report.path("complete").asBoolean(false)
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
        Progress progress = new Progress(spark, log, 8);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        int partitions = spark.sparkContext().defaultParallelism();

        progress.begin("checksum", "checksum " + files.size() + " input files");
        // Broadcast: a task would otherwise deserialise the whole Hadoop configuration, and every task
        // over the pages carries the read in its lineage.
        Broadcast<HadoopConf> shipped =
                JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new HadoopConf(conf));
        List<InputFile> toRead = skipKnownFiles(spark, conf, shipped, partitions, out);
        report.count("input_files", files.size());
        report.count("input_files_skipped", files.size() - toRead.size());
        report.endPhase("checksum");

        progress.begin("read_and_clean", "read and clean " + toRead.size() + " files");
        CleaningRules rules = new CleaningRules(settings);
        PageReader reader = new PageReader(spark, toRead, settings.integer("ingest.read.min_partitions"));
        PageLayout layout = reader.layout();
        // Serialised pages take less memory but cost a serialisation pass; as objects they take no CPU to cache.
        StorageLevel cached = settings.flag("ingest.cache.compressed")
                ? StorageLevel.MEMORY_AND_DISK_SER()
                : StorageLevel.MEMORY_AND_DISK();
        PageCache read = new PageCache(
                reader.read(spark, shipped, settings.integer("ingest.read.max_record_bytes"), rules), cached);
        JavaRDD<Page> pages = read.pages();
        long recordsIn = countPages(pages, report);
        report.endPhase("read_and_clean");

        Dataset<Row> previousPages = previousPages(spark);
        JavaRDD<Page> docs = pages.filter(Page::isKept);
        List<JavaRDD<Drop>> drops = new ArrayList<>();

        progress.begin("dedup_url", "one page per URL");
        if (settings.flag("ingest.dedup.url.enabled")) {
            docs = dropped(docs, layout, persisted(UrlDedup.drops(docs, partitions), "URL duplicates"), drops);
        }
        report.endPhase("dedup_url");

        progress.begin("dedup_exact", "exact duplicates");
        if (settings.flag("ingest.dedup.exact.enabled")) {
            JavaRDD<Row> previousRows = previousPages == null ? null : LocationFreeRDD.of(previousPages.javaRDD());
            docs = dropped(
                    docs,
                    layout,
                    persisted(ExactDedup.drops(docs, previousRows, partitions), "exact duplicates"),
                    drops);
        }
        report.endPhase("dedup_exact");

        // Before line deduplication: it would give each line of a near-duplicate pair to one of the two
        // pages, leaving two fragments too different for MinHash and both in the corpus.
        progress.begin("dedup_near", "near duplicates (MinHash LSH)");
        if (settings.flag("ingest.dedup.near.enabled")) {
            NearDedup.Outcome near = nearDedup(settings, report)
                    .drops(docs.map(p -> RowFactory.create(p.key, p.id, p.text)), previousPages);
            report.count("near_candidate_pairs", near.candidatePairs);
            report.count("near_verified_pairs", near.verifiedPairs);
            docs = dropped(docs, layout, persisted(near.drops, "near duplicates"), drops);
        }
        report.endPhase("dedup_near");

        progress.begin("dedup_lines", "line deduplication");
        JavaRDD<Page> lined = null;
        PageCache linedCache = null;
        if (settings.flag("ingest.dedup.lines.enabled")) {
            linedCache = new PageCache(LineDedup.apply(docs, layout, rules.sentenceMinimum(), partitions), cached);
            lined = linedCache.pages();
            long[] removed = lined.aggregate(
                    new long[2],
                    (sums, p) -> {
                        sums[0] += p.linesDeduplicated;
                        sums[1] += p.isKept() ? 0 : 1;
                        return sums;
                    },
                    IngestJob::add);
            report.count("lines_removed_line_dedup", removed[0]);
            log.info("line deduplication: {} lines removed, {} pages dropped", removed[0], removed[1]);
            docs = lined.filter(Page::isKept);
        }
        report.endPhase("dedup_lines");

        progress.begin("write", "write clean/, validation/ and rejects/");
        String cleanPath = new Path(out.work(), IngestOutput.CLEAN_FOLDER).toString();
        String validationPath = new Path(out.work(), IngestOutput.VALIDATION_FOLDER).toString();
        String rejectsPath = new Path(out.work(), "rejects").toString();
        String codec = spark.conf().get("spark.sql.parquet.compression.codec");
        ValidationSplit split = new ValidationSplit(settings.number(VALIDATION_FRACTION));
        report.put("validation_fraction", settings.number(VALIDATION_FRACTION));
        new ParquetOutput(IngestOutput.CLEAN, codec)
                .write(
                        docs.filter(p -> !split.isValidation(p.urlKey, p.id)).map(IngestOutput::cleanRow),
                        cleanPath,
                        shipped);
        new ParquetOutput(IngestOutput.CLEAN, codec)
                .write(
                        docs.filter(p -> split.isValidation(p.urlKey, p.id)).map(IngestOutput::cleanRow),
                        validationPath,
                        shipped);
        JavaRDD<Row> rejects = rejects(pages, lined, layout, drops);
        new ParquetOutput(IngestOutput.REJECTS, codec).write(rejects, rejectsPath, shipped);
        report.endPhase("write");

        progress.begin("reconcile", "count and reconcile");
        reconcile(conf, recordsIn, cleanPath, validationPath, rejects, rejectsPath, report);
        report.endPhase("reconcile");
        progress.done();
        report.put("cpu_seconds", progress.cpuSeconds());
        read.release();
        if (linedCache != null) {
            linedCache.release();
        }
        drops.forEach(JavaRDD::unpersist);
    }

    /** Checksums every input on the executors, writes the manifest, returns the files no earlier output holds. */
    private List<InputFile> skipKnownFiles(
            SparkSession spark, Configuration conf, Broadcast<HadoopConf> shipped, int partitions, StageOutput out)
            throws IOException {
        List<String> sums = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(files, Math.max(1, Math.min(files.size(), partitions * 4)))
                .map(f -> FileChecksum.sha256(f.path, shipped.value().get()))
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

    private Dataset<Row> previousPages(SparkSession spark) throws IOException {
        Dataset<Row> all = null;
        for (String dir : previous) {
            // One scan of both folders: LocationFreeRDD reads a single file scan's partitions.
            Dataset<Row> one = spark.read()
                    .parquet(
                            IngestOutput.corpusFolders(dir, spark.sparkContext().hadoopConfiguration())
                                    .toArray(new String[0]))
                    .select("id", "text");
            all = all == null ? one : all.unionByName(one);
        }
        return all;
    }

    private NearDedup nearDedup(Settings s, StageReport report) {
        int permutations = s.integer("ingest.dedup.near.permutations");
        double threshold = s.number("ingest.dedup.near.threshold");
        LshParameters lsh = s.integer("ingest.dedup.near.bands") > 0
                ? LshParameters.of(s.integer("ingest.dedup.near.bands"), s.integer("ingest.dedup.near.rows"))
                : LshParameters.optimal(threshold, permutations, s.number("ingest.dedup.near.false_positive_weight"));
        log.info("near duplicates: {} permutations, {}, Jaccard threshold {}", permutations, lsh, threshold);
        report.put(
                "minhash",
                Map.of(
                        "permutations",
                        permutations,
                        "bands",
                        lsh.bands,
                        "rows",
                        lsh.rows,
                        "threshold",
                        threshold,
                        "ngram",
                        s.integer("ingest.dedup.near.ngram")));
        MinHasher hasher = new MinHasher(permutations, lsh.bands, lsh.rows, s.longValue("ingest.dedup.near.seed"));
        return new NearDedup(
                hasher,
                s.integer("ingest.dedup.near.ngram"),
                threshold,
                s.integer("ingest.dedup.near.max_bucket_for_all_pairs"),
                s.integer("ingest.dedup.near.max_iterations"));
    }

    private JavaRDD<Drop> persisted(JavaRDD<Drop> drops, String what) {
        JavaRDD<Drop> kept = drops.persist(StorageLevel.MEMORY_AND_DISK());
        log.info("{}: {} pages dropped", what, kept.count());
        return kept;
    }

    /** Records the drops and returns the pages they leave. */
    private static JavaRDD<Page> dropped(
            JavaRDD<Page> pages, PageLayout layout, JavaRDD<Drop> drops, List<JavaRDD<Drop>> all) {
        all.add(drops);
        return layout.without(pages, drops);
    }

    /** One pass over the cached pages: how many records, how many passed the page rules, the lines each rule removed. */
    private long countPages(JavaRDD<Page> pages, StageReport report) {
        LineRule[] lineRules = LineRule.values();
        long[] totals = pages.aggregate(
                new long[2 + lineRules.length],
                (sums, p) -> {
                    sums[0]++;
                    if (p.isKept()) {
                        sums[1]++;
                        for (int i = 0; i < p.linesRemoved.length; i++) {
                            sums[2 + i] += p.linesRemoved[i];
                        }
                    }
                    return sums;
                },
                IngestJob::add);
        for (int i = 0; i < lineRules.length; i++) {
            report.count(lineRules[i].counter, totals[2 + i]);
        }
        log.info("read {} records; {} passed the page rules", totals[0], totals[1]);
        return totals[0];
    }

    private static long[] add(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    /**
     * Every dropped record: bad input and pages dropped by a rule as read, pages line deduplication
     * dropped, duplicates with their survivor; each with its raw record.
     */
    private static JavaRDD<Row> rejects(
            JavaRDD<Page> pages, JavaRDD<Page> lined, PageLayout layout, List<JavaRDD<Drop>> drops) {
        JavaRDD<Row> rows = pages.filter(p -> !p.isKept()).map(p -> IngestOutput.rejectRow(p, p.reason, null));
        if (lined != null) {
            rows = rows.union(lined.filter(p -> !p.isKept()).map(p -> IngestOutput.rejectRow(p, p.reason, null)));
        }
        if (!drops.isEmpty()) {
            JavaRDD<Drop> all = drops.get(0);
            for (JavaRDD<Drop> d : drops.subList(1, drops.size())) {
                all = all.union(d);
            }
            rows = rows.union(layout.dropped(pages, all)
                    .map(pd -> IngestOutput.rejectRow(
                            pd._1(), pd._2().reason(), pd._2().survivorId())));
        }
        return rows;
    }

    /**
     * Counts what was written (from the Parquet footers) and refuses to commit an output whose counts do
     * not add up; the drops per reason are counted on the rejects as they were written (the same
     * deterministic RDD, computed again from the cached pages and drops).
     */
    private void reconcile(
            Configuration conf,
            long recordsIn,
            String cleanPath,
            String validationPath,
            JavaRDD<Row> rejects,
            String rejectsPath,
            StageReport report)
            throws IOException {
        long recordsClean = ParquetRowCount.of(cleanPath, conf);
        long recordsValidation = ParquetRowCount.of(validationPath, conf);
        long recordsOut = recordsClean + recordsValidation;
        long rejectsWritten = ParquetRowCount.of(rejectsPath, conf);
        Map<String, Long> dropped =
                new TreeMap<>(rejects.map(r -> r.getString(2)).countByValue());
        long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
        report.put("records_in", recordsIn);
        report.put("records_out", recordsOut);
        report.put("records_clean", recordsClean);
        report.put("records_validation", recordsValidation);
        report.put("dropped", dropped);
        log.info(
                "counts: {} in, {} out ({} clean, {} validation), {} dropped {}",
                recordsIn,
                recordsOut,
                recordsClean,
                recordsValidation,
                droppedTotal,
                dropped);
        if (rejectsWritten != droppedTotal || recordsIn != recordsOut + droppedTotal) {
            throw new IllegalStateException("The counts do not reconcile: " + recordsIn + " records in, " + recordsOut
                    + " out (" + recordsClean + " clean, " + recordsValidation + " validation) and " + droppedTotal
                    + " dropped " + dropped + " (" + rejectsWritten
                    + " rejects written); the output is not committed.");
        }
    }
}
