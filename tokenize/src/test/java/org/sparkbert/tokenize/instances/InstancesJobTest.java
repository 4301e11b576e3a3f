package org.sparkbert.tokenize.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageReport;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * The instances stage end to end in local Spark on the shared C4 sample (realnewslike, 600 documents)
 * with bert-base-uncased's vocabulary. The oracle re-encodes the documents and looks every segment up
 * in them, so a B that came from the wrong place is found out.
 */
class InstancesJobTest {
    private static SparkSession spark;
    private static Path dir;
    private static Tokenizer bert;
    private static SpecialTokens specials;
    private static DocumentIndex corpus;

    @BeforeAll
    static void writeCleanCorpus() throws Exception {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("InstancesJobTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        dir = Files.createTempDirectory("instances-job-test");
        List<SharedCorpus.Doc> docs = SharedCorpus.c4(SharedCorpus.C4_REALNEWSLIKE, 600);
        CleanCorpusFixture.write(spark, docs, dir.resolve("ingest").toString(), 2, false);
        CleanCorpusFixture.write(spark, docs, dir.resolve("ingest-relayout").toString(), 5, true);
        bert = SharedCorpus.bertTokenizer();
        specials = SpecialTokens.of(bert);
        corpus = new DocumentIndex(bert, docs);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static int run(String... args) {
        return StageCommand.execute(new InstancesJob(), args);
    }

    private static Path build(String name, String input, String objective, String... extra) {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of(
                "--input",
                input,
                "--vocab",
                SharedCorpus.bertVocabDir().toString(),
                "--output",
                out.toString(),
                "--objective",
                objective,
                "--master",
                "local[2]"));
        args.addAll(List.of(extra));
        assertEquals(0, run(args.toArray(new String[0])), "the instances stage failed");
        return out;
    }

    @Test
    void nspPairsHaveBertsLayoutBalancedLabelsAndRandomNextFromAnotherDocument() throws Exception {
        Path out = build("nsp", dir.resolve("ingest").toString(), "nsp");
        List<Instance> instances = Instance.read(spark, out);
        int randomNext = 0, foundElsewhere = 0, inOwnDocument = 0;
        for (Instance t : instances) {
            t.assertPairLayout(specials, 128);
            int[] a = t.segmentA(specials), b = t.segmentB(specials);
            assertTrue(corpus.occursIn(t.docId(), a), "A of " + t.id() + " is text of its own document");
            if (t.label() == 1) {
                randomNext++;
                foundElsewhere += corpus.occursOutside(t.docId(), b) ? 1 : 0;
                inOwnDocument += corpus.occursIn(t.docId(), b) ? 1 : 0;
            } else {
                assertEquals(0, t.label());
                assertTrue(
                        corpus.followsIn(t.docId(), a, b), "true-next B of " + t.id() + " follows A in its document");
            }
        }
        double share = (double) randomNext / instances.size();
        assertEquals(0.5, share, 0.05, "NSP label balance over " + instances.size() + " instances");
        assertEquals(randomNext, foundElsewhere, "every random-next B is text of another document");
        assertEquals(0, inOwnDocument, "no random-next B is text of its own document");

        JsonNode report = report(out);
        assertEquals(instances.size(), report.path("counters").path("instances").asLong());
        assertEquals(randomNext, report.path("counters").path("label_1").asLong());
        assertEquals(share, report.path("label_balance").path("label_1_share").asDouble(), 1e-12);
        assertEquals(600, report.path("counters").path("documents_in").asLong());
        assertTrue(report.path("counters").has("documents_one_sentence_skipped"));
        long histogramTotal = 0;
        for (JsonNode n : report.path("length_histogram")) histogramTotal += n.asLong();
        assertEquals(instances.size(), histogramTotal);
        assertTrue(
                report.path("length_histogram").path("121-128").asLong() > instances.size() / 2,
                "most instances fill the maximum length");

        Path again = build("nsp-relayout", dir.resolve("ingest-relayout").toString(), "nsp");
        assertEquals(
                instances,
                Instance.read(spark, again),
                "the same documents stored in another order and in other files give the same instances and ids");
    }

    @Test
    void sopSwapsExactlyTheLabelledPairs() throws Exception {
        Path out = build("sop", dir.resolve("ingest").toString(), "sop", "--max-seq-length", "96");
        List<Instance> instances = Instance.read(spark, out);
        int swapped = 0, checked = 0;
        for (Instance t : instances) {
            t.assertPairLayout(specials, 96);
            int[] a = t.segmentA(specials), b = t.segmentB(specials);
            boolean inOrder = corpus.followsIn(t.docId(), a, b);
            boolean reversed = corpus.followsIn(t.docId(), b, a);
            assertTrue(inOrder || reversed, "both segments of " + t.id() + " come from its document");
            if (inOrder != reversed) {
                checked++;
                assertEquals(reversed, t.label() == 1, "instance " + t.id() + " label " + t.label());
            }
            swapped += t.label();
        }
        assertTrue(checked > instances.size() * 0.95, checked + " of " + instances.size() + " unambiguous");
        assertEquals(0.5, (double) swapped / instances.size(), 0.05, "SOP label balance");
    }

    @Test
    void mlmPacksFullSentencesAndStaticMasksHoldBertsProportions() throws Exception {
        Path out = build("mlm", dir.resolve("ingest").toString(), "mlm", "--static-masks");
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertFalse(Arrays.asList(rows.get(0).schema().fieldNames()).contains("label"), "mlm has no label");
        long tokens = 0, maskable = 0, masked = 0, maskToken = 0, kept = 0, random = 0;
        for (Row r : rows) {
            int[] ids = Instance.ints(r.getList(r.fieldIndex("input_ids")));
            int[] types = Instance.ints(r.getList(r.fieldIndex("token_type_ids")));
            int[] positions = Instance.ints(r.getList(r.fieldIndex("masked_positions")));
            int[] originals = Instance.ints(r.getList(r.fieldIndex("masked_ids")));
            assertTrue(ids.length <= 128);
            assertEquals(specials.cls(), ids[0]);
            assertEquals(specials.sep(), ids[ids.length - 1]);
            assertTrue(Arrays.stream(types).allMatch(x -> x == 0));
            int[] restored = ids.clone();
            for (int k = 0; k < positions.length; k++) {
                assertFalse(specials.isSpecial(originals[k]), "a special token was masked");
                int now = ids[positions[k]];
                if (now == specials.mask()) maskToken++;
                else if (now == originals[k]) kept++;
                else random++;
                restored[positions[k]] = originals[k];
            }
            for (int id : restored) {
                tokens += id == specials.cls() || id == specials.sep() ? 0 : 1;
                maskable += specials.isSpecial(id) ? 0 : 1;
            }
            masked += positions.length;
        }
        JsonNode report = report(out);
        assertEquals(report.path("counters").path("document_tokens").asLong(), tokens, "packing keeps every token");
        assertTrue(maskable >= 100_000, maskable + " tokens");
        assertEquals(0.15, (double) masked / maskable, 0.005, "masked fraction");
        assertEquals(0.8, (double) maskToken / masked, 0.01);
        assertEquals(0.1, (double) kept / masked, 0.01);
        assertEquals(0.1, (double) random / masked, 0.01);
        assertEquals(masked, report.path("counters").path("masked_tokens").asLong());
    }

    @Test
    void byteLevelBpeWholeWordMasksNeverSplitAWord() throws Exception {
        Path vocab = dir.resolve("roberta-style-vocab");
        Files.createDirectories(vocab);
        String gpt2 = Files.readString(SharedCorpus.gpt2VocabDir().resolve("vocab.json"))
                .trim();
        Files.writeString(
                vocab.resolve("vocab.json"),
                gpt2.substring(0, gpt2.length() - 1)
                        + ", \"<s>\": 50257, \"<pad>\": 50258, \"</s>\": 50259, \"<unk>\": 50260, \"<mask>\": 50261}");
        Files.copy(SharedCorpus.gpt2VocabDir().resolve("merges.txt"), vocab.resolve("merges.txt"));
        Tokenizer bpe = Tokenizers.load(vocab.toString(), null);
        SpecialTokens bpeSpecials = SpecialTokens.of(bpe);

        String input = dir.resolve("ingest-bpe").toString();
        CleanCorpusFixture.write(spark, SharedCorpus.c4(SharedCorpus.C4_EN, 200), input, 2, false);
        Path out = dir.resolve("mlm-bpe");
        assertEquals(
                0,
                run(
                        "--input",
                        input,
                        "--vocab",
                        vocab.toString(),
                        "--output",
                        out.toString(),
                        "--objective",
                        "mlm",
                        "--static-masks",
                        "--conf",
                        "masking.whole_word=true",
                        "--master",
                        "local[2]"));
        long wholeWords = 0;
        for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
            int[] ids = Instance.ints(r.getList(r.fieldIndex("input_ids")));
            int[] positions = Instance.ints(r.getList(r.fieldIndex("masked_positions")));
            int[] originals = Instance.ints(r.getList(r.fieldIndex("masked_ids")));
            assertEquals(bpeSpecials.cls(), ids[0]);
            assertEquals(bpeSpecials.sep(), ids[ids.length - 1]);
            boolean[] chosen = new boolean[ids.length];
            for (int k = 0; k < positions.length; k++) {
                chosen[positions[k]] = true;
                ids[positions[k]] = originals[k];
            }
            for (int p = 1; p < ids.length; p++) {
                if (bpe.continuesWord(ids[p]) && !bpeSpecials.isSpecial(ids[p]) && !bpeSpecials.isSpecial(ids[p - 1])) {
                    assertEquals(
                            chosen[p - 1],
                            chosen[p],
                            "a masked word is split between " + bpe.token(ids[p - 1]) + " and " + bpe.token(ids[p]));
                    wholeWords += chosen[p] ? 1 : 0;
                }
            }
        }
        assertTrue(wholeWords > 100, "multi-piece words were masked whole: " + wholeWords);
    }

    @Test
    void oneSentenceAndEmptyDocumentsAreCountedNotPaired() throws Exception {
        List<SharedCorpus.Doc> docs = new ArrayList<>(SharedCorpus.c4(SharedCorpus.C4_EN, 20));
        docs.add(new SharedCorpus.Doc("lone-1", "Only one sentence lives here."));
        docs.add(new SharedCorpus.Doc("lone-2", "A single line without a full stop"));
        docs.add(new SharedCorpus.Doc("blank", "   \n  "));
        docs.add(new SharedCorpus.Doc("null", null));
        String idless = "A document without an id has sentences like this one. It has two of them, both left out.";
        docs.add(new SharedCorpus.Doc(null, idless));
        String input = dir.resolve("ingest-odd").toString();
        CleanCorpusFixture.write(spark, docs, input, 2, false);
        Path out = build("nsp-odd", input, "nsp");
        JsonNode counters = report(out).path("counters");
        assertEquals(25, counters.path("documents_in").asLong());
        assertEquals(1, counters.path("documents_without_id").asLong());
        assertEquals(2, counters.path("documents_one_sentence_skipped").asLong());
        assertEquals(2, counters.path("documents_without_text").asLong());
        DocumentIndex idlessText = new DocumentIndex(bert, List.of(new SharedCorpus.Doc("idless", idless)));
        for (Instance t : Instance.read(spark, out)) {
            assertFalse(
                    t.docId().startsWith("lone")
                            || t.docId().equals("blank")
                            || t.docId().equals("null"),
                    t.toString());
            int[] b = t.segmentB(specials);
            assertFalse(b.length >= 5 && idlessText.occursIn("idless", b), "the id-less document gives no random next");
            t.assertPairLayout(specials, 128);
        }
    }

    @Test
    void helpListsTheStageOptions() {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            assertEquals(0, run("--help"));
        } finally {
            System.setOut(out);
        }
        for (String option : List.of(
                "--input",
                "--vocab",
                "--objective",
                "--max-seq-length",
                "--short-seq-prob",
                "--dupe-factor",
                "--seed",
                "--static-masks",
                "--master",
                "--conf")) {
            assertTrue(captured.toString().contains(option), option + " missing from the usage: " + captured);
        }
    }

    @Test
    void badInputIsAClearUsageError() throws Exception {
        String clean = dir.resolve("ingest").toString();
        String bertVocab = SharedCorpus.bertVocabDir().toString();
        assertUsageError(
                "--max-seq-length must lie in [8, 4096]",
                "--input",
                clean,
                "--vocab",
                bertVocab,
                "--output",
                dir.resolve("bad1").toString(),
                "--objective",
                "nsp",
                "--max-seq-length",
                "7");
        assertUsageError(
                "--max-seq-length must lie in [8, 4096]",
                "--input",
                clean,
                "--vocab",
                bertVocab,
                "--output",
                dir.resolve("bad2").toString(),
                "--objective",
                "nsp",
                "--max-seq-length",
                "4097");
        assertUsageError(
                "has no <s>, </s>, <mask>, <pad> tokens",
                "--input",
                clean,
                "--vocab",
                SharedCorpus.gpt2VocabDir().toString(),
                "--output",
                dir.resolve("bad3").toString(),
                "--objective",
                "mlm");
        assertUsageError(
                "does not exist",
                "--input",
                dir.resolve("nowhere").toString(),
                "--vocab",
                bertVocab,
                "--output",
                dir.resolve("bad4").toString(),
                "--objective",
                "sop");

        String noText = dir.resolve("no-text").toString();
        spark.read().parquet(clean + "/clean").drop("text").write().parquet(noText);
        assertUsageError(
                "has no 'text' column",
                "--input",
                noText,
                "--vocab",
                bertVocab,
                "--output",
                dir.resolve("bad5").toString(),
                "--objective",
                "nsp");
        for (String bad : List.of("bad1", "bad2", "bad3", "bad4", "bad5")) {
            assertFalse(Files.exists(dir.resolve(bad)), bad + " must not be written");
        }
    }

    private static void assertUsageError(String message, String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int code;
        try {
            code = run(args);
        } finally {
            System.setErr(err);
        }
        assertEquals(2, code, "exit code for " + String.join(" ", args) + "; stderr: " + captured);
        assertTrue(captured.toString().contains(message), "stderr names the problem: " + captured);
    }

    private static JsonNode report(Path out) throws Exception {
        return StageReport.parse(Files.readString(out.resolve(StageReport.FILE_NAME)));
    }

    /** Every document's token stream (its sentences' ids joined), to look segments up in. */
    static final class DocumentIndex {
        private final Map<String, int[]> streams = new HashMap<>();
        private final Map<Long, List<String>> byTrigram = new HashMap<>();

        DocumentIndex(Tokenizer tokenizer, List<SharedCorpus.Doc> docs) {
            DocumentEncoder encoder = new DocumentEncoder(tokenizer);
            for (SharedCorpus.Doc d : docs) {
                TokenizedDocument t = encoder.encode(d.id(), d.text());
                int[] stream = t.tokens(0, t.sentenceCount());
                streams.put(d.id(), stream);
                for (int i = 0; i + 2 < stream.length; i++) {
                    List<String> ids = byTrigram.computeIfAbsent(trigram(stream, i), k -> new ArrayList<>());
                    if (ids.isEmpty() || !ids.get(ids.size() - 1).equals(d.id())) ids.add(d.id());
                }
            }
        }

        boolean occursIn(String docId, int[] segment) {
            return indexOf(streams.get(docId), segment, 0) >= 0;
        }

        boolean occursOutside(String docId, int[] segment) {
            List<String> candidates = segment.length >= 3
                    ? byTrigram.getOrDefault(trigram(segment, 0), List.of())
                    : new ArrayList<>(streams.keySet());
            return candidates.stream().anyMatch(other -> !other.equals(docId) && occursIn(other, segment));
        }

        /** Whether {@code second} occurs in the document after an occurrence of {@code first}. */
        boolean followsIn(String docId, int[] first, int[] second) {
            int[] stream = streams.get(docId);
            int at = indexOf(stream, first, 0);
            return at >= 0 && indexOf(stream, second, at + first.length) >= 0;
        }

        private static long trigram(int[] s, int i) {
            return ((long) s[i] << 40) ^ ((long) s[i + 1] << 20) ^ s[i + 2];
        }

        private static int indexOf(int[] stream, int[] segment, int from) {
            outer:
            for (int i = from; i + segment.length <= stream.length; i++) {
                for (int k = 0; k < segment.length; k++) {
                    if (stream[i + k] != segment[k]) continue outer;
                }
                return i;
            }
            return -1;
        }
    }
}
