package org.sparkbert.evaluate.perplexity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.tensorboard.PythonEventReader;
import org.sparkbert.evaluate.EvaluateJob;
import org.sparkbert.tokenize.Tokenizer;

class PerplexityJobTest {
    private static final int SEQ = 64;
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    private static Tokenizer tokenizer;
    private static Path initial;
    private static Path trained;
    private static Path heldOut;
    private static List<String> heldOutTexts;

    /** BERT-tiny at initialisation and after 300 masked-LM steps on 400 C4 documents; 20 later documents held out. */
    @BeforeAll
    static void checkpoints() throws IOException {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("PerplexityJobTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        List<String> train = TinyBertForTests.c4Documents(0, 400);
        Path vocab = tmp.resolve("vocab");
        tokenizer = TinyBertForTests.smallVocabulary(train, 2000, vocab);
        ModelConfig config = TinyBertForTests.bertTiny(tokenizer.vocabularySize(), 128, "mlm");
        try (BertModel fresh = TinyBertForTests.pretrain(config, tokenizer, train, SEQ, 0, 16, 1e-3f, 3)) {
            initial = TinyBertForTests.writeCheckpoint(fresh, tokenizer, vocab, tmp.resolve("init"), 0);
        }
        try (BertModel model = TinyBertForTests.pretrain(config, tokenizer, train, SEQ, 300, 16, 1e-3f, 3)) {
            trained = TinyBertForTests.writeCheckpoint(model, tokenizer, vocab, tmp.resolve("run"), 300);
        }
        heldOutTexts = TinyBertForTests.c4Documents(900, 20);
        heldOut = tmp.resolve("held-out.txt");
        Files.writeString(heldOut, String.join("\n\n", heldOutTexts) + "\n");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * An untrained model predicts about uniformly, so its perplexity is about the vocabulary size;
     * 300 steps of training must bring it well below that on text the model never saw.
     */
    @Test
    void trainingLowersHeldOutPerplexityFromAboutTheVocabularySize() throws IOException {
        PerplexityResult before = perplexity(initial, heldOut, tmp.resolve("ppl-init"), "--seed", "7");
        PerplexityResult after = perplexity(trained, heldOut, tmp.resolve("ppl-trained"), "--seed", "7");
        int v = tokenizer.vocabularySize();
        System.out.printf(
                "held-out perplexity: %.1f at initialisation, %.1f after 300 steps (V = %d, %d tokens)%n",
                before.perplexity(), after.perplexity(), v, after.tokensScored());
        assertTrue(
                before.perplexity() > 0.5 * v && before.perplexity() < 2.0 * v,
                "initial perplexity " + before.perplexity());
        assertTrue(
                after.perplexity() < before.perplexity() / 3,
                "trained " + after.perplexity() + " vs initial " + before.perplexity());
        assertEquals(before.tokensScored(), after.tokensScored(), "the same seed masks the same positions");
        assertEquals(300, after.step());
        assertEquals(PerplexityResult.MLM, after.definition());
        assertTrue(Files.exists(tmp.resolve("ppl-trained/_REPORT.json")));

        // The same figure as a TensorBoard scalar at the checkpoint's step, read by an independent reader.
        List<com.fasterxml.jackson.databind.JsonNode> events =
                PythonEventReader.read(tmp.resolve("ppl-trained/tensorboard"));
        com.fasterxml.jackson.databind.JsonNode last = events.get(events.size() - 1);
        assertEquals(300, last.path("step").asLong(), events.toString());
        assertEquals(
                (float) after.perplexity(),
                last.path("scalars").path("heldout/perplexity").floatValue());
        assertEquals(
                (float) Math.log(after.perplexity()),
                last.path("scalars").path("heldout/cross_entropy").floatValue(),
                1e-5 * Math.log(after.perplexity()));
    }

    /** Spark's partial sums over partitions equal one process scoring every sequence with the same masks. */
    @Test
    void sparkResultEqualsASingleProcessComputation() throws IOException {
        PerplexityResult spark = perplexity(trained, heldOut, tmp.resolve("ppl-spark"), "--seed", "11");
        SequencePacker packer = new SequencePacker(tokenizer, SEQ);
        List<ScoringSequence> sequences =
                packer.packAll(TextDocuments.split(heldOut.getFileName().toString(), Files.readString(heldOut)));
        CrossEntropySum local = PerplexityJob.score(
                ModelWeights.read(trained.toString(), new org.apache.hadoop.conf.Configuration()),
                tokenizer,
                sequences.iterator(),
                SEQ,
                0.15,
                5,
                11,
                false);
        assertEquals(local.positions(), spark.tokensScored());
        assertEquals(local.perplexity(), spark.perplexity(), 1e-9 * local.perplexity());
        long tokens = sequences.stream().mapToLong(s -> s.inputIds().length - 2).sum();
        assertTrue(
                spark.tokensScored() > 0.12 * tokens && spark.tokensScored() < 0.18 * tokens,
                spark.tokensScored() + " masked of " + tokens);
    }

    /** A clean/ Parquet table (id, text) is read as documents keyed by id: the masks follow the ids. */
    @Test
    void cleanParquetInputScoresLikeTheSameDocumentsInOneProcess() throws IOException {
        List<Row> rows = new ArrayList<>();
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rows.add(RowFactory.create("doc-" + i, heldOutTexts.get(i)));
            documents.add(new Document("doc-" + i, heldOutTexts.get(i)));
        }
        StructType schema =
                new StructType().add("id", DataTypes.StringType, false).add("text", DataTypes.StringType, false);
        Path clean = tmp.resolve("clean");
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(clean.toString());
        PerplexityResult fromParquet = perplexity(trained, clean, tmp.resolve("ppl-parquet"), "--seed", "5");
        List<ScoringSequence> sequences = new SequencePacker(tokenizer, SEQ).packAll(documents);
        CrossEntropySum local = PerplexityJob.score(
                ModelWeights.read(trained.toString(), new org.apache.hadoop.conf.Configuration()),
                tokenizer,
                sequences.iterator(),
                SEQ,
                0.15,
                32,
                5,
                false);
        assertEquals(local.positions(), fromParquet.tokensScored());
        assertEquals(local.perplexity(), fromParquet.perplexity(), 1e-9 * local.perplexity());
    }

    /** Pseudo-perplexity scores every token once: the count is the number of word pieces in the text. */
    @Test
    void pseudoPerplexityScoresEveryToken() throws IOException {
        Path two = tmp.resolve("two-documents.txt");
        Files.writeString(two, heldOutTexts.get(0) + "\n\n" + heldOutTexts.get(1) + "\n");
        PerplexityResult pseudo = perplexity(trained, two, tmp.resolve("ppl-pseudo"), "--pseudo");
        long pieces = Arrays.stream(new String[] {heldOutTexts.get(0), heldOutTexts.get(1)})
                .mapToLong(t -> tokenizer.encode(t).length)
                .sum();
        assertEquals(pieces, pseudo.tokensScored());
        assertEquals(PerplexityResult.PSEUDO, pseudo.definition());
        assertTrue(pseudo.perplexity() < tokenizer.vocabularySize() / 4.0, "pseudo-perplexity " + pseudo.perplexity());
    }

    /** WikiText articles start at top-level headings; every word of the file lands in exactly one article. */
    @Test
    void wikiTextFilesSplitIntoArticles() throws IOException {
        Path file = TinyBertForTests.sharedData().resolve("wikitext/wiki.valid.tokens");
        String content = Files.readString(file);
        List<Document> articles = TextDocuments.split(file.getFileName().toString(), content);
        Pattern heading = Pattern.compile("^ = [^=].* = $");
        long headings =
                content.lines().filter(l -> heading.matcher(l).matches()).count();
        assertEquals(headings, articles.size());
        long words =
                Arrays.stream(content.split("\\s+")).filter(w -> !w.isEmpty()).count();
        long inArticles = articles.stream()
                .mapToLong(d -> Arrays.stream(d.text().split("\\s+"))
                        .filter(w -> !w.isEmpty())
                        .count())
                .sum();
        assertEquals(words, inArticles);
        assertTrue(articles.get(0).text().startsWith("= Homarus gammarus ="));
    }

    @Test
    void aMissingCheckpointIsAUsageError() {
        int code = EvaluateJob.execute(
                "perplexity",
                "--master",
                "local[2]",
                "--checkpoint",
                tmp.resolve("nothing").toString(),
                "--input",
                heldOut.toString(),
                "--output",
                tmp.resolve("ppl-missing").toString());
        assertEquals(2, code);
        assertTrue(!Files.exists(tmp.resolve("ppl-missing")));
    }

    private static PerplexityResult perplexity(Path checkpoint, Path input, Path output, String... more)
            throws IOException {
        String[] base = {
            "perplexity",
            "--master",
            "local[2]",
            "--checkpoint",
            checkpoint.toString(),
            "--input",
            input.toString(),
            "--output",
            output.toString(),
            "--max-seq-length",
            Integer.toString(SEQ)
        };
        String[] args = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        assertEquals(0, EvaluateJob.execute(args));
        return PerplexityResult.fromJson(
                Files.readString(output.resolve(PerplexityResult.FILE_NAME)), output.toString());
    }
}
