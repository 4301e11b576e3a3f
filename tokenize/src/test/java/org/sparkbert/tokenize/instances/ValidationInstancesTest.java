package org.sparkbert.tokenize.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.job.StageCommand;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * The held-out split through the instances stage: the training instances come from clean/ only, the
 * validation instances from validation/ only, with masks frozen into the rows by BERT's recipe.
 */
class ValidationInstancesTest {
    private static SparkSession spark;
    private static Path dir;
    private static Set<String> trainingIds;
    private static Set<String> heldOutIds;

    @BeforeAll
    static void writeIngestOutput() throws Exception {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("ValidationInstancesTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        dir = Files.createTempDirectory("validation-instances-test");
        List<SharedCorpus.Doc> docs = SharedCorpus.c4(SharedCorpus.C4_REALNEWSLIKE, 60);
        List<SharedCorpus.Doc> training = docs.subList(0, 48);
        List<SharedCorpus.Doc> heldOut = docs.subList(48, 60);
        CleanCorpusFixture.write(spark, training, dir.resolve("ingest").toString(), 2, false);
        List<Row> rows = new ArrayList<>();
        for (SharedCorpus.Doc d : heldOut) {
            rows.add(
                    RowFactory.create(d.id(), "https://example.org/" + d.id(), "2019-04-25T12:57:54Z", d.text(), "c4"));
        }
        spark.createDataFrame(rows, CleanCorpusFixture.SCHEMA)
                .write()
                .parquet(dir.resolve("ingest/validation").toString());
        trainingIds = training.stream().map(SharedCorpus.Doc::id).collect(Collectors.toSet());
        heldOutIds = heldOut.stream().map(SharedCorpus.Doc::id).collect(Collectors.toSet());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Path build(String name, String input) {
        Path out = dir.resolve(name);
        assertEquals(
                0,
                StageCommand.execute(
                        new InstancesJob(),
                        "--input",
                        input,
                        "--vocab",
                        SharedCorpus.bertVocabDir().toString(),
                        "--output",
                        out.toString(),
                        "--objective",
                        "nsp",
                        "--master",
                        "local[2]"));
        return out;
    }

    @Test
    void validationPagesAreCutApartWithFrozenMasks() throws Exception {
        Path out = build("nsp", dir.resolve("ingest").toString());
        JsonNode report =
                new ObjectMapper().readTree(out.resolve("_REPORT.json").toFile());

        List<Row> training = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(
                report.path("counters").path("instances").asLong(),
                training.size(),
                "reading the output reads the training instances only, not validation/");
        assertFalse(
                List.of(spark.read().parquet(out.toString()).columns()).contains("masked_positions"),
                "training instances keep dynamic masking");
        for (Row r : training) {
            String doc = r.getAs("doc_id");
            assertTrue(trainingIds.contains(doc), doc + " is a training document");
        }

        List<Row> validation = spark.read()
                .parquet(out.resolve("validation").toString())
                .orderBy("instance_id")
                .collectAsList();
        assertFalse(validation.isEmpty());
        assertEquals(
                validation.size(),
                report.path("counters").path("validation_instances").asLong());
        assertEquals(12, report.path("counters").path("validation_documents").asLong());
        Tokenizer bert = SharedCorpus.bertTokenizer();
        SpecialTokens specials = SpecialTokens.of(bert);
        long masked = 0;
        long replacedByMask = 0;
        Set<String> docs = new HashSet<>();
        for (Row r : validation) {
            docs.add(r.getAs("doc_id"));
            assertTrue(heldOutIds.contains(r.<String>getAs("doc_id")));
            int[] ids = Instance.ints(r.getList(r.fieldIndex("input_ids")));
            int[] positions = Instance.ints(r.getList(r.fieldIndex("masked_positions")));
            int[] labels = Instance.ints(r.getList(r.fieldIndex("masked_ids")));
            long ordinary = java.util.Arrays.stream(ids)
                    .filter(id -> !specials.isSpecial(id) || id == specials.mask())
                    .count();
            // BERT: min(max_predictions_per_seq, max(1, round(0.15 x the non-special tokens))).
            assertEquals(
                    Math.min(20, Math.max(1, Math.round(0.15 * ordinary))),
                    positions.length,
                    "instance " + r.getAs("instance_id"));
            assertEquals(positions.length, labels.length);
            for (int k = 0; k < positions.length; k++) {
                assertTrue(k == 0 || positions[k] > positions[k - 1], "positions sorted and distinct");
                assertFalse(specials.isSpecial(labels[k]), "a masked label is an ordinary token");
                replacedByMask += ids[positions[k]] == specials.mask() ? 1 : 0;
            }
            masked += positions.length;
        }
        assertEquals(
                masked, report.path("counters").path("validation_masked_tokens").asLong());
        assertEquals(0.8, (double) replacedByMask / masked, 0.08, "80% of the chosen positions read [MASK]");
        assertTrue(docs.size() >= 10, "most held-out documents yield instances: " + docs.size());

        Path again = build("nsp-from-clean", dir.resolve("ingest/clean").toString());
        assertEquals(
                validation,
                spark.read()
                        .parquet(again.resolve("validation").toString())
                        .orderBy("instance_id")
                        .collectAsList(),
                "given the clean/ folder, the validation split beside it is found and cut with the same masks");
    }
}
