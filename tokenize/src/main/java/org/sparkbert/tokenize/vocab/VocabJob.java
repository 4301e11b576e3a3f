package org.sparkbert.tokenize.vocab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.CleanCorpus;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.VocabularyFiles;
import org.sparkbert.tokenize.WordPieceTokenizer;
import org.sparkbert.tokenize.WordSplitter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/pretrain vocab}: trains a WordPiece or byte-level BPE vocabulary on the clean
 * corpus. Spark counts the words (pre-tokens) across the cluster; the merge loop then runs on the
 * driver over the counts ({@link MergeTrainer}), as Hugging Face's trainers do. Writes vocab.txt, or
 * vocab.json and merges.txt, plus tokenizer.json, byte for byte the same for the same corpus and
 * settings.
 */
@Command(name = "vocab", description = "Train a WordPiece or byte-level BPE vocabulary on the clean corpus.")
public final class VocabJob extends StageCommand {
    @Option(
            names = "--input",
            required = true,
            paramLabel = "CLEAN_DIR",
            description = "The ingest stage's output directory, or its clean/ folder (Parquet with a 'text' column).")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Where the vocabulary files and _REPORT.json go.")
    String output;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "wordpiece|bpe",
            description = "wordpiece: BERT's vocab.txt; bpe: GPT-2/RoBERTa byte-level vocab.json + merges.txt.")
    VocabModel model;

    @Option(
            names = "--vocab-size",
            paramLabel = "N",
            description = "Tokens in the vocabulary, special tokens included (default ${DEFAULT-VALUE}).")
    int vocabSize = 30000;

    @Option(
            names = "--min-frequency",
            paramLabel = "N",
            description = "A pair seen fewer times is never merged (default ${DEFAULT-VALUE}).")
    long minFrequency = 2;

    @Option(
            names = "--lowercase",
            arity = "1",
            paramLabel = "true|false",
            description =
                    "Lower-case the text (default: true for wordpiece, as bert-base-uncased; false for bpe, as GPT-2 and RoBERTa).")
    Boolean lowercase;

    @Option(
            names = "--limit-alphabet",
            paramLabel = "N",
            description =
                    "WordPiece: keep the N most frequent characters; words with others become [UNK] (default ${DEFAULT-VALUE})."
                            + " Byte-level BPE always has its 256 byte symbols.")
    int limitAlphabet = 1000;

    @Option(
            names = "--scoring",
            paramLabel = "frequency|likelihood",
            description =
                    "WordPiece merge criterion: frequency (Hugging Face's, BPE with ## prefixes) or likelihood"
                            + " (original WordPiece: count(ab) / (count(a) x count(b))). Default ${DEFAULT-VALUE}; BPE uses frequency.")
    Scoring scoring = Scoring.frequency;

    @Option(
            names = "--max-words",
            paramLabel = "N",
            description =
                    "Keep at most N distinct words (the most frequent) for the merge loop, to bound the driver's memory;"
                            + " the cut is reported. Default: setting vocab.max_words.")
    Long maxWords;

    @Option(
            names = "--extra-input",
            arity = "1..*",
            paramLabel = "PATH",
            description =
                    "Unlabelled text counted with the corpus for the vocabulary only (so a target domain's words stay"
                            + " whole), e.g. ../shared/data/glue/SST-2/train.tsv: plain files give one text per line, a GLUE .tsv"
                            + " its text columns by the header's names (never the labels).")
    List<String> extraInput = List.of();

    private String corpusFolder;

    public static void main(String[] args) {
        StageCommand.main(new VocabJob(), args);
    }

    @Override
    protected String stageName() {
        return "vocab";
    }

    @Override
    protected List<String> confFiles() {
        return List.of("tokenize.properties");
    }

    @Override
    protected String outputPath() {
        return output;
    }

    private boolean lowercase() {
        return lowercase != null ? lowercase : model == VocabModel.wordpiece;
    }

    private Scoring scoring() {
        return model == VocabModel.bpe ? Scoring.frequency : scoring;
    }

    @Override
    protected Map<String, Object> arguments() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("input", input);
        a.put("model", model.name());
        a.put("vocab_size", vocabSize);
        a.put("min_frequency", minFrequency);
        a.put("lowercase", lowercase());
        a.put("limit_alphabet", model == VocabModel.wordpiece ? limitAlphabet : 256);
        a.put("scoring", scoring().name());
        if (!extraInput.isEmpty()) a.put("extra_input", extraInput);
        a.put("max_words", maxWords == null ? "setting vocab.max_words" : maxWords);
        return a;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        int specials = model == VocabModel.bpe
                ? VocabularyFiles.BPE_SPECIALS.size()
                : VocabularyFiles.WORDPIECE_SPECIALS.size();
        if (model == VocabModel.bpe && vocabSize < specials + 256) {
            throw new UsageException(
                    "--vocab-size " + vocabSize + " is below the alphabet: a byte-level BPE vocabulary holds its "
                            + specials + " special tokens and 256 byte symbols before any merge.");
        }
        if (vocabSize <= specials) {
            throw new UsageException(
                    "--vocab-size " + vocabSize + " leaves no room beside the " + specials + " special tokens.");
        }
        if (minFrequency < 0) throw new UsageException("--min-frequency must be at least 0, not " + minFrequency + ".");
        if (limitAlphabet < 1)
            throw new UsageException("--limit-alphabet must be at least 1, not " + limitAlphabet + ".");
        if (model == VocabModel.bpe && scoring == Scoring.likelihood) {
            throw new UsageException(
                    "--scoring likelihood is WordPiece's criterion; byte-level BPE merges by frequency.");
        }
        if (maxWords(settings) < 1) throw new UsageException("--max-words must be at least 1.");
        corpusFolder = CleanCorpus.resolve(input, hadoopConf);
        ExtraText.check(extraInput, hadoopConf);
    }

    private long maxWords(Settings settings) {
        return maxWords != null ? maxWords : settings.longValue("vocab.max_words");
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput output, StageReport report) throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        WordSplitter splitter =
                model == VocabModel.wordpiece ? WordSplitter.bert(lowercase()) : WordSplitter.byteLevel(lowercase());
        int partitions = Math.max(1, jsc.defaultParallelism());
        JavaRDD<String> texts = texts(spark, corpusFolder);
        if (!extraInput.isEmpty()) {
            JavaRDD<String> extra = ExtraText.read(jsc, extraInput).cache();
            report.count("extra_texts", extra.count());
            texts = texts.union(extra);
        }
        WordCounts counts = WordCounts.count(texts, splitter, maxWords(settings), partitions);
        report.count("documents", counts.documents());
        report.count("word_occurrences", counts.occurrences());
        report.count("distinct_words", counts.distinctWords());
        report.count("words_cut", counts.wordsCut());
        report.count("word_occurrences_cut", counts.occurrencesCut());
        report.endPhase("count_words");
        if (counts.words().length == 0) {
            throw new UsageException(
                    "The corpus " + corpusFolder + " holds no words: nothing to train a vocabulary on.");
        }
        if (counts.wordsCut() > 0) {
            log.warn(
                    "vocab: kept the {} most frequent of {} distinct words (--max-words); {} occurrences left out.",
                    counts.words().length,
                    counts.distinctWords(),
                    counts.occurrencesCut());
        }

        InitialVocabulary initial = model == VocabModel.wordpiece
                ? InitialVocabulary.wordPiece(counts, limitAlphabet)
                : InitialVocabulary.byteLevel(counts);
        initial.requireRoomIn(vocabSize);
        report.count("alphabet_size", initial.alphabetSize());
        report.count("words_outside_alphabet", initial.wordsOutsideAlphabet());
        report.endPhase("alphabet");

        String prefix = model == VocabModel.wordpiece ? WordPieceTokenizer.CONTINUATION : "";
        MergeTrainer.Result trained = new MergeTrainer(
                        initial.tokens(), initial.words(), initial.counts(), prefix, scoring(), vocabSize, minFrequency)
                .train();
        report.count("merges", trained.merges().size());
        report.count("vocab_size", trained.tokens().size());
        report.endPhase("merge");

        if (model == VocabModel.wordpiece) {
            VocabularyWriter.writeWordPiece(output.fileSystem(), output.work(), trained.tokens(), lowercase());
        } else {
            VocabularyWriter.writeByteLevelBpe(
                    output.fileSystem(), output.work(), trained.tokens(), trained.merges(), lowercase());
        }
        Tokenizer written =
                Tokenizers.load(output.workUri(), spark.sparkContext().hadoopConfiguration(), null);
        if (written.vocabularySize() != trained.tokens().size()) {
            throw new IllegalStateException(
                    "the written vocabulary reads back with " + written.vocabularySize() + " tokens");
        }
        if (written instanceof WordPieceTokenizer wordPiece) {
            report.put("unknown_word_rate", unknownWordRate(wordPiece, counts));
        }
        report.endPhase("write");
        log.info(
                "vocab: {} tokens ({} merges) from {} distinct words",
                trained.tokens().size(),
                trained.merges().size(),
                counts.distinctWords());
    }

    /** The share of word occurrences (of the words counted) that the trained WordPiece encodes as [UNK]. */
    private static double unknownWordRate(WordPieceTokenizer tokenizer, WordCounts counts) {
        int unk = tokenizer.id(WordPieceTokenizer.UNKNOWN);
        long unknown = 0, total = 0;
        for (int w = 0; w < counts.words().length; w++) {
            for (int id : tokenizer.encode(counts.words()[w])) if (id == unk) unknown += counts.counts()[w];
            total += counts.counts()[w];
        }
        return total == 0 ? 0 : (double) unknown / total;
    }

    /** The non-empty texts of the clean corpus. */
    private static JavaRDD<String> texts(SparkSession spark, String folder) {
        return CleanCorpus.read(spark, folder, "text")
                .javaRDD()
                .map(row -> row.isNullAt(0) ? "" : row.getString(0))
                .filter(t -> !t.isEmpty());
    }
}
