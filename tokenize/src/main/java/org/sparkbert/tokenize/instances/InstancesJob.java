package org.sparkbert.tokenize.instances;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.CleanCorpus;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/pretrain instances}: cuts the clean corpus into pretraining instances for BERT's
 * MLM + next-sentence prediction ({@code nsp}), ALBERT's sentence-order prediction ({@code sop}) or
 * RoBERTa's MLM on packed full sentences ({@code mlm}), as Parquet. Masks are drawn at train time
 * ({@link DynamicMasker}) unless {@code --static-masks} freezes them here. When the ingest output holds a
 * {@code validation/} split, its pages are cut too, into {@code <output>/validation/}, always with
 * masks frozen into the rows (from {@code masking.seed}), so every checkpoint is scored on the same positions.
 *
 * <p>Every random choice is a pure function of the seed and of document ids, and instances are
 * numbered in a seeded shuffle of keys that name their source, so the output is the same for the
 * same seed and input whatever the cluster and its partitioning.
 */
@Command(name = "instances", description = "Build NSP / SOP / MLM pretraining instances from the clean corpus.")
public final class InstancesJob extends StageCommand {
    /** The validation instances' folder inside the output (Spark's reader of the output does not descend into it). */
    public static final String VALIDATION_FOLDER = "validation";

    @Option(
            names = "--input",
            required = true,
            paramLabel = "CLEAN_DIR",
            description = "The ingest stage's output directory, or its clean/ folder (Parquet with id and text).")
    String input;

    @Option(
            names = "--vocab",
            required = true,
            paramLabel = "VOCAB_DIR",
            description =
                    "The vocabulary directory: vocab.txt (WordPiece) or vocab.json + merges.txt (byte-level BPE).")
    String vocab;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Where the instances Parquet and _REPORT.json go.")
    String output;

    @Option(
            names = "--objective",
            required = true,
            paramLabel = "nsp|sop|mlm",
            description =
                    "nsp: BERT's next-sentence pairs; sop: ALBERT's sentence-order pairs; mlm: RoBERTa's FULL-SENTENCES packing.")
    Objective objective;

    @Option(
            names = "--max-seq-length",
            paramLabel = "N",
            description = "Tokens per instance, special tokens included (8 to 4096; default ${DEFAULT-VALUE}).")
    int maxSeqLength = 128;

    @Option(
            names = "--short-seq-prob",
            paramLabel = "P",
            description = "Share of documents cut to a random shorter target length (default ${DEFAULT-VALUE}).")
    double shortSeqProb = 0.1;

    @Option(
            names = "--dupe-factor",
            paramLabel = "N",
            description = "Times each document is cut, each time differently (default ${DEFAULT-VALUE}).")
    int dupeFactor = 1;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Seed of every random choice (default ${DEFAULT-VALUE}, as BERT's).")
    long seed = 12345;

    @Option(
            names = "--static-masks",
            description = "Freeze masks into the output (masked_positions, masked_ids) as the original BERT did;"
                    + " by default masks are drawn afresh every epoch at train time.")
    boolean staticMasks;

    @Option(
            names = "--lowercase",
            arity = "1",
            paramLabel = "true|false",
            description = "Lower-case before WordPiece / BPE; default: as the vocabulary directory says (as encode).")
    Boolean lowercase;

    private Tokenizer tokenizer;
    private SpecialTokens specials;
    private String cleanFolder;
    /** The held-out pages beside the clean corpus, or null when the input has none. */
    private String validationFolder;

    /**
     * The Parquet files just written, named one by one: the work directory's name starts with '.', and
     * Spark warns "All paths were ignored" for a hidden directory it is asked to read (and reads it all
     * the same); a glob instead makes it warn that it found no metadata directory.
     */
    private static String[] partFiles(SparkSession spark, StageOutput output) {
        Path work = new Path(output.workUri());
        try {
            FileStatus[] parts = work.getFileSystem(spark.sparkContext().hadoopConfiguration())
                    .globStatus(new Path(work, "part-*"));
            return Arrays.stream(parts).map(part -> part.getPath().toString()).toArray(String[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the instances written to " + work, e);
        }
    }

    public static void main(String[] args) {
        StageCommand.main(new InstancesJob(), args);
    }

    @Override
    protected String stageName() {
        return "instances";
    }

    @Override
    protected List<String> confFiles() {
        return List.of("instances.properties");
    }

    @Override
    protected String outputPath() {
        return output;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        if (maxSeqLength < InstanceShape.MIN_SEQ_LENGTH || maxSeqLength > InstanceShape.MAX_SEQ_LENGTH) {
            throw new UsageException("--max-seq-length must lie in [" + InstanceShape.MIN_SEQ_LENGTH + ", "
                    + InstanceShape.MAX_SEQ_LENGTH + "], not " + maxSeqLength + ".");
        }
        if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
            throw new UsageException("--short-seq-prob must lie in [0, 1], not " + shortSeqProb + ".");
        }
        if (dupeFactor < 1) {
            throw new UsageException("--dupe-factor must be at least 1, not " + dupeFactor + ".");
        }
        if (settings.integer("instances.packing_group_documents") < 1) {
            throw new UsageException("Setting 'instances.packing_group_documents' must be at least 1.");
        }
        cleanFolder = CleanCorpus.resolve(input, hadoopConf);
        validationFolder = CleanCorpus.validation(input, hadoopConf);
        try {
            tokenizer = Tokenizers.load(vocab, hadoopConf, lowercase);
            specials = SpecialTokens.of(tokenizer);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--vocab " + vocab + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException("Cannot read --vocab " + vocab + ": " + e.getMessage());
        }
        if (staticMasks || validationFolder != null) {
            try {
                DynamicMasker.fromSettings(tokenizer, settings);
            } catch (IllegalArgumentException e) {
                throw new UsageException((staticMasks ? "--static-masks" : "The validation split's frozen masks")
                        + " with the masking.* settings: " + e.getMessage());
            }
        }
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput output, StageReport report) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Encoded training = encode(jsc, CleanCorpus.read(spark, cleanFolder, "id", "text"));
        reportDocuments(report, training.tally);
        report.endPhase("encode");
        if (training.documents == 0) {
            throw new UsageException(
                    "The clean corpus " + cleanFolder + " holds no document with text: nothing to cut.");
        }
        InstanceRows rows = new InstanceRows(
                objective.hasPairLabel(), staticMasks ? DynamicMasker.fromSettings(tokenizer, settings) : null);
        write(spark, instances(training, settings, dupeFactor), training, rows, output.workUri());
        report.endPhase("instances");

        InstanceStatistics.of(spark.read().parquet(partFiles(spark, output)), objective, maxSeqLength, staticMasks)
                .addTo(report);
        report.put("objective", objective.name());
        report.put("vocabulary", vocabularyFacts());
        report.endPhase("statistics");
        if (validationFolder != null) {
            writeValidation(spark, jsc, settings, output, report);
        }
    }

    /**
     * The held-out pages cut the same way, once, with masks frozen into the rows from masking.seed, so
     * that every checkpoint (and every baseline) is scored on the same positions. Written last: the
     * training instances' write replaces the whole work directory.
     */
    private void writeValidation(
            SparkSession spark, JavaSparkContext jsc, Settings settings, StageOutput output, StageReport report) {
        Encoded validation = encode(jsc, CleanCorpus.read(spark, validationFolder, "id", "text"));
        report.count("validation_documents", validation.documents);
        report.put("validation_input", validationFolder);
        if (validation.documents < (objective == Objective.nsp ? 2 : 1)) {
            log.warn(
                    "The validation split {} holds {} documents with text, too few for {} instances: none written.",
                    validationFolder,
                    validation.documents,
                    objective);
            validation.indexed.unpersist();
            return;
        }
        String path = new org.apache.hadoop.fs.Path(output.work(), VALIDATION_FOLDER).toString();
        InstanceRows rows = new InstanceRows(objective.hasPairLabel(), DynamicMasker.fromSettings(tokenizer, settings));
        write(spark, instances(validation, settings, 1), validation, rows, path);
        Row totals = spark.read()
                .parquet(path)
                .selectExpr("count(1)", "sum(size(" + InstanceRows.MASKED_POSITIONS + "))")
                .first();
        report.count("validation_instances", totals.getLong(0));
        report.count("validation_masked_tokens", totals.isNullAt(1) ? 0 : totals.getLong(1));
        report.endPhase("validation");
    }

    /** A corpus's documents with text, encoded and numbered in the seed's order (persisted until written). */
    private record Encoded(
            DocumentTally tally, long documents, JavaPairRDD<Long, TokenizedDocument> indexed, int partitions) {}

    private Encoded encode(JavaSparkContext jsc, Dataset<Row> corpus) {
        int partitions = Math.max(jsc.defaultParallelism(), corpus.javaRDD().getNumPartitions());
        JavaRDD<TokenizedDocument> encoded =
                InstanceCutter.encode(corpus, jsc.broadcast(tokenizer)).persist(StorageLevel.MEMORY_AND_DISK());
        DocumentTally tally = encoded.aggregate(new DocumentTally(), DocumentTally::add, DocumentTally::merge);
        JavaPairRDD<Long, TokenizedDocument> indexed =
                InstanceCutter.index(encoded, seed, partitions).persist(StorageLevel.MEMORY_AND_DISK());
        long documents = indexed.count();
        encoded.unpersist();
        return new Encoded(tally, documents, indexed, partitions);
    }

    private JavaRDD<TrainingInstance> instances(Encoded corpus, Settings settings, int dupes) {
        InstanceShape shape = new InstanceShape(maxSeqLength, shortSeqProb, seed);
        JavaRDD<TrainingInstance> instances = InstanceCutter.cut(
                objective,
                corpus.indexed,
                corpus.documents,
                shape,
                specials,
                dupes,
                settings.integer("instances.packing_group_documents"),
                corpus.partitions);
        return instances.persist(StorageLevel.MEMORY_AND_DISK_SER());
    }

    private static void write(
            SparkSession spark, JavaRDD<TrainingInstance> instances, Encoded corpus, InstanceRows rows, String path) {
        JavaRDD<Row> numbered = instances
                .sortBy(TrainingInstance::key, true, corpus.partitions)
                .zipWithIndex()
                .map(t -> rows.row(t._2, t._1));
        spark.createDataFrame(numbered, rows.schema())
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(path);
        instances.unpersist();
        corpus.indexed.unpersist();
    }

    private void reportDocuments(StageReport report, DocumentTally tally) {
        report.count("documents_in", tally.documents);
        report.count("documents_without_id", tally.withoutId);
        report.count("documents_without_text", tally.withoutText);
        if (objective.hasPairLabel()) {
            report.count("documents_one_sentence_skipped", tally.oneSentence);
        }
        report.count("sentences", tally.sentences);
        report.count("document_tokens", tally.tokens);
    }

    private Map<String, Object> vocabularyFacts() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("dir", vocab);
        v.put("kind", tokenizer.kind().name());
        v.put("size", tokenizer.vocabularySize());
        v.put("cls", specials.cls());
        v.put("sep", specials.sep());
        v.put("mask", specials.mask());
        v.put("pad", specials.pad());
        v.put("unk", specials.unk());
        return v;
    }
}
