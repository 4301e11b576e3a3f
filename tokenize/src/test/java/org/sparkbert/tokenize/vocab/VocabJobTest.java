package org.sparkbert.tokenize.vocab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.job.StageCommand;
import org.sparkbert.tokenize.AutoTokenizerOracle;
import org.sparkbert.tokenize.HuggingFaceOracle;
import org.sparkbert.tokenize.SharedData;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.WordPieceTokenizer;
import org.sparkbert.tokenize.WordSplitter;

/**
 * The vocab stage end to end in local Spark on the shared C4 sample (1,641 documents) written as
 * the ingest stage's clean/ Parquet: trained vocabularies load in Hugging Face tokenizers and
 * encode the sample exactly as our encoders do, cover it, and come out byte for byte the same.
 */
class VocabJobTest {
    private static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("text", DataTypes.StringType, true)));

    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static List<String> documents;
    private static String ingestDir;

    @BeforeAll
    static void writeCorpus() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("VocabJobTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        documents = SharedData.c4Documents();
        ingestDir = dir.resolve("ingest").toString();
        writeClean(documents, ingestDir, 3);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static void writeClean(List<String> texts, String ingest, int files) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) rows.add(RowFactory.create("doc-" + i, texts.get(i)));
        spark.createDataFrame(rows, SCHEMA).repartition(files).write().parquet(ingest + "/clean");
    }

    private static int vocab(String... args) {
        List<String> all = new ArrayList<>(List.of("--master", "local[2]"));
        Collections.addAll(all, args);
        return StageCommand.execute(new VocabJob(), all.toArray(new String[0]));
    }

    private static JsonNode report(Path output) throws IOException {
        return new ObjectMapper().readTree(output.resolve("_REPORT.json").toFile());
    }

    @Test
    void wordPieceLoadsInHuggingFaceCoversTheSampleAndIsDeterministic() throws Exception {
        Path output = dir.resolve("wordpiece");
        assertEquals(
                0,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        output.toString(),
                        "--model",
                        "wordpiece",
                        "--vocab-size",
                        "5000"));
        List<String> lines = Files.readAllLines(output.resolve("vocab.txt"));
        assertEquals(5000, lines.size());
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), lines.subList(0, 5));
        JsonNode report = report(output);
        assertEquals(1641, report.path("counters").path("documents").asLong(), report.toString());
        assertEquals(5000, report.path("counters").path("vocab_size").asLong(), report.toString());
        assertEquals(0, report.path("counters").path("words_cut").asLong(), report.toString());

        Tokenizer ours = Tokenizers.load(output.toString(), null);
        assertTrue(((WordPieceTokenizer) ours).lowercase(), "tokenizer.json says uncased");
        try (HuggingFaceTokenizer theirs = HuggingFaceOracle.open(output.resolve("tokenizer.json"))) {
            assertEquals(0, HuggingFaceOracle.mismatches(ours, theirs, documents));
        }
        JsonNode config = new ObjectMapper()
                .readTree(output.resolve("tokenizer_config.json").toFile());
        assertTrue(config.path("do_lower_case").asBoolean(false), config.toString());
        JsonNode auto = AutoTokenizerOracle.load(output, "the", "the");
        assertEquals("BertTokenizer", auto.path("tokenizer_class").asText(), auto.toString());
        assertSpecialsResolve(
                auto,
                Map.of(
                        "cls_token",
                        "[CLS]",
                        "sep_token",
                        "[SEP]",
                        "pad_token",
                        "[PAD]",
                        "mask_token",
                        "[MASK]",
                        "unk_token",
                        "[UNK]"),
                lines::indexOf);
        int the = lines.indexOf("the");
        assertEquals(List.of(2, the, 3, the, 3), ids(auto.path("pair_ids")), "[CLS] A [SEP] B [SEP]");
        double unknown = unknownWordShare(ours);
        assertTrue(unknown < 0.01, "share of [UNK] words: " + unknown);

        String reordered = dir.resolve("ingest-one-file").toString();
        List<String> reversed = new ArrayList<>(documents);
        Collections.reverse(reversed);
        writeClean(reversed, reordered, 1);
        Path again = dir.resolve("wordpiece-again");
        assertEquals(
                0,
                vocab(
                        "--input",
                        reordered + "/clean",
                        "--output",
                        again.toString(),
                        "--model",
                        "wordpiece",
                        "--vocab-size",
                        "5000"));
        for (String file : List.of("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            assertArrayEquals(Files.readAllBytes(output.resolve(file)), Files.readAllBytes(again.resolve(file)), file);
        }
    }

    /** The share of BasicTokenizer words of the sample that encode to [UNK]. */
    private static double unknownWordShare(Tokenizer tokenizer) {
        int unk = tokenizer.id("[UNK]");
        WordSplitter words = WordSplitter.bert(true);
        long[] unknownAndAll = new long[2];
        for (String text : documents) {
            words.split(text, word -> {
                for (int id : tokenizer.encode(word)) if (id == unk) unknownAndAll[0]++;
                unknownAndAll[1]++;
            });
        }
        assertTrue(unknownAndAll[1] > 500_000);
        return (double) unknownAndAll[0] / unknownAndAll[1];
    }

    @Test
    void byteLevelBpeLoadsInHuggingFace() throws Exception {
        Path output = dir.resolve("bpe");
        assertEquals(
                0,
                vocab("--input", ingestDir, "--output", output.toString(), "--model", "bpe", "--vocab-size", "5000"));
        List<String> merges = Files.readAllLines(output.resolve("merges.txt"));
        assertEquals("#version: 0.2", merges.get(0));
        assertEquals(5000 - 261, merges.size() - 1);
        JsonNode vocab =
                new ObjectMapper().readTree(output.resolve("vocab.json").toFile());
        assertEquals(5000, vocab.size());
        assertEquals(
                List.of(0, 1, 2, 3, 4),
                List.of(
                        vocab.get("<s>").asInt(),
                        vocab.get("<pad>").asInt(),
                        vocab.get("</s>").asInt(),
                        vocab.get("<unk>").asInt(),
                        vocab.get("<mask>").asInt()));
        Tokenizer ours = Tokenizers.load(output.toString(), null);
        assertEquals(Tokenizer.Kind.BYTE_LEVEL_BPE, ours.kind());
        try (HuggingFaceTokenizer theirs = HuggingFaceOracle.open(output.resolve("tokenizer.json"))) {
            assertEquals(0, HuggingFaceOracle.mismatches(ours, theirs, documents));
        }
        assertTrue(ours.id("Ġthe") > 0, "the commonest word is one token");

        JsonNode auto = AutoTokenizerOracle.load(output, "the", "the");
        assertEquals("RobertaTokenizer", auto.path("tokenizer_class").asText(), auto.toString());
        assertSpecialsResolve(
                auto,
                Map.of(
                        "bos_token",
                        "<s>",
                        "cls_token",
                        "<s>",
                        "eos_token",
                        "</s>",
                        "sep_token",
                        "</s>",
                        "pad_token",
                        "<pad>",
                        "mask_token",
                        "<mask>",
                        "unk_token",
                        "<unk>"),
                token -> vocab.get(token).asInt());
    }

    /** Each special token is named as expected and AutoTokenizer resolves it to the vocabulary's own id. */
    private static void assertSpecialsResolve(
            JsonNode auto, Map<String, String> expected, java.util.function.ToIntFunction<String> vocabularyId) {
        assertEquals(expected.keySet(), setOf(auto.path("specials").fieldNames()), auto.toString());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            JsonNode found = auto.path("specials").path(e.getKey());
            assertEquals(e.getValue(), found.path("token").asText(), e.getKey());
            assertEquals(
                    vocabularyId.applyAsInt(e.getValue()),
                    found.path("id").asInt(-1),
                    e.getKey() + " resolves in the vocabulary");
        }
    }

    private static java.util.Set<String> setOf(java.util.Iterator<String> names) {
        java.util.Set<String> set = new java.util.TreeSet<>();
        names.forEachRemaining(set::add);
        return set;
    }

    private static List<Integer> ids(JsonNode array) {
        List<Integer> ids = new ArrayList<>();
        array.forEach(n -> ids.add(n.asInt()));
        return ids;
    }

    @Test
    void likelihoodScoringAndTheWordCap() throws IOException {
        Path likelihood = dir.resolve("likelihood");
        assertEquals(
                0,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        likelihood.toString(),
                        "--model",
                        "wordpiece",
                        "--vocab-size",
                        "3000",
                        "--scoring",
                        "likelihood",
                        "--max-words",
                        "5000"));
        JsonNode report = report(likelihood);
        long distinct = report.path("counters").path("distinct_words").asLong();
        assertTrue(distinct > 5000, report.toString());
        assertEquals(distinct - 5000, report.path("counters").path("words_cut").asLong(), report.toString());
        assertTrue(report.path("counters").path("word_occurrences_cut").asLong() > 0, report.toString());
        Tokenizer ours = Tokenizers.load(likelihood.toString(), null);
        assertEquals(3000, ours.vocabularySize());
        try (HuggingFaceTokenizer theirs = HuggingFaceOracle.open(likelihood.resolve("tokenizer.json"))) {
            assertEquals(0, HuggingFaceOracle.mismatches(ours, theirs, documents.subList(0, 300)));
        }
    }

    /**
     * --extra-input SST-2's training sentences: the .tsv gives exactly its sentence column (read here
     * from the file independently, header and labels dropped), the vocabulary trained on the corpus plus
     * them splits SST-2's dev sentences into fewer pieces per word than the corpus's own vocabulary, and
     * a .tsv without a text column is refused naming the file.
     */
    @Test
    void extraInputKeepsTheTargetDomainsWordsWhole() throws IOException {
        Path sst2 = SharedData.root().resolve("glue/SST-2");
        Path train = sst2.resolve("train.tsv");
        List<String> trainLines = Files.readAllLines(train);
        List<String> sentences = trainLines.subList(1, trainLines.size()).stream()
                .map(l -> l.split("\t")[0])
                .filter(t -> !t.isBlank())
                .sorted()
                .toList();
        var jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        assertEquals(
                sentences,
                ExtraText.read(jsc, List.of(train.toString())).collect().stream()
                        .sorted()
                        .toList());

        Path plain = dir.resolve("vocab-corpus"), extra = dir.resolve("vocab-corpus-and-sst2");
        assertEquals(
                0,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        plain.toString(),
                        "--model",
                        "wordpiece",
                        "--vocab-size",
                        "3000"));
        assertEquals(
                0,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        extra.toString(),
                        "--model",
                        "wordpiece",
                        "--vocab-size",
                        "3000",
                        "--extra-input",
                        train.toString()));
        assertEquals(
                sentences.size(),
                report(extra).path("counters").path("extra_texts").asLong());
        List<String> devLines = Files.readAllLines(sst2.resolve("dev.tsv"));
        List<String> dev = devLines.subList(1, devLines.size()).stream()
                .map(l -> l.split("\t")[0])
                .toList();
        double corpusOnly = piecesPerWord(Tokenizers.load(plain.toString(), null), dev);
        double withExtra = piecesPerWord(Tokenizers.load(extra.toString(), null), dev);
        assertTrue(
                withExtra < corpusOnly - 0.05,
                "pieces per dev word: " + withExtra + " with SST-2, " + corpusOnly + " without");

        Path labelsOnly = dir.resolve("labels.tsv");
        Files.write(labelsOnly, List.of("id\tlabel", "1\t0"));
        Path refused = dir.resolve("refused-extra");
        assertEquals(
                2,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        refused.toString(),
                        "--model",
                        "wordpiece",
                        "--extra-input",
                        labelsOnly.toString()));
        assertEquals(
                2,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        refused.toString(),
                        "--model",
                        "wordpiece",
                        "--extra-input",
                        dir.resolve("no-such.txt").toString()));
        assertFalse(Files.exists(refused));
    }

    private static double piecesPerWord(Tokenizer tokenizer, List<String> texts) {
        WordSplitter words = WordSplitter.bert(true);
        long[] piecesAndWords = new long[2];
        for (String text : texts) {
            words.split(text, word -> {
                piecesAndWords[0] += tokenizer.encode(word).length;
                piecesAndWords[1]++;
            });
        }
        return (double) piecesAndWords[0] / piecesAndWords[1];
    }

    @Test
    void badInputStopsBeforeWriting() {
        String empty = dir.resolve("empty-ingest").toString();
        writeClean(List.of("", " \n\t "), empty, 1);
        Path output = dir.resolve("refused");
        assertEquals(
                2, vocab("--input", empty, "--output", output.toString(), "--model", "wordpiece"), "an empty corpus");
        assertEquals(
                2,
                vocab("--input", ingestDir, "--output", output.toString(), "--model", "bpe", "--vocab-size", "200"),
                "below the 256 bytes");
        assertEquals(
                2,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        output.toString(),
                        "--model",
                        "wordpiece",
                        "--vocab-size",
                        "40"),
                "below the alphabet of the corpus");
        assertEquals(
                2,
                vocab("--input", dir.resolve("nowhere").toString(), "--output", output.toString(), "--model", "bpe"));
        assertEquals(
                2,
                vocab(
                        "--input",
                        ingestDir,
                        "--output",
                        output.toString(),
                        "--model",
                        "bpe",
                        "--scoring",
                        "likelihood"));
        assertFalse(Files.exists(output));
    }
}
