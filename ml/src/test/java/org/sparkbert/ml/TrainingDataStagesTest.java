package org.sparkbert.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
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
import org.sparkbert.tokenize.instances.InstancesJob;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.MaskedInstance;

/** The instances and masking stages against the instances job and tokenize's DynamicMasker, on real C4 documents. */
class TrainingDataStagesTest {
    private static SparkSession spark;
    private static Dataset<Row> documents;

    @TempDir
    static Path tmp;

    /** 40 C4 documents, as a DataFrame and as the ingest stage's clean/ Parquet that the instances job reads. */
    @BeforeAll
    static void documents() throws IOException {
        spark = TestFixtures.session("TrainingDataStagesTest");
        ObjectMapper json = new ObjectMapper();
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in =
                Files.newBufferedReader(TestFixtures.sharedData().resolve(TestFixtures.C4), StandardCharsets.UTF_8)) {
            for (String line; rows.size() < 40 && (line = in.readLine()) != null; ) {
                String id = "c4-" + rows.size();
                rows.add(RowFactory.create(
                        id,
                        "https://example.org/" + id,
                        "2019-04-25T12:57:54Z",
                        json.readTree(line).get("text").asText(),
                        "c4"));
            }
        }
        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("url", DataTypes.StringType)
                .add("timestamp", DataTypes.StringType)
                .add("text", DataTypes.StringType)
                .add("source", DataTypes.StringType);
        documents = spark.createDataFrame(rows, schema);
        documents.repartition(2).write().parquet(tmp.resolve("ingest/clean").toString());
        documents = documents.repartition(3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sentenceOrderInstancesAreThoseOfTheInstancesJob() {
        assertSameAsTheJob("sop");
    }

    @Test
    void nextSentenceInstancesAreThoseOfTheInstancesJob() {
        assertSameAsTheJob("nsp");
    }

    private static void assertSameAsTheJob(String objective) {
        Path out = tmp.resolve("job-" + objective);
        int rc = StageCommand.execute(
                new InstancesJob(),
                "--input",
                tmp.resolve("ingest").toString(),
                "--vocab",
                TestFixtures.bertVocab().toString(),
                "--output",
                out.toString(),
                "--objective",
                objective,
                "--max-seq-length",
                "64",
                "--seed",
                "5",
                "--master",
                "local[2]");
        assertEquals(0, rc, "the instances job failed");
        List<Row> expected =
                spark.read().parquet(out.toString()).orderBy("instance_id").collectAsList();
        Dataset<Row> stage = new TrainingInstances()
                .setVocabDir(TestFixtures.bertVocab().toString())
                .setObjective(objective)
                .setMaxSeqLength(64)
                .setSeed(5)
                .transform(documents);
        List<Row> actual = stage.orderBy("instance_id").collectAsList();
        assertTrue(expected.size() > 40, expected.size() + " instances");
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Row e = expected.get(i);
            Row a = actual.get(i);
            assertEquals(e.getLong(0), a.getLong(0));
            assertEquals(e.getString(1), a.getString(1));
            assertArrayEquals(Columns.ints(e, 2), Columns.ints(a, 2), "input_ids of instance " + i);
            assertArrayEquals(Columns.ints(e, 3), Columns.ints(a, 3), "token_type_ids of instance " + i);
            assertEquals(e.getInt(4), a.getInt(4), "label of instance " + i);
        }
    }

    @Test
    void maskingIsDynamicMaskersForTheSeedEpochAndIdAndSurvivesSaveAndLoad() throws IOException {
        String vocab = TestFixtures.bertVocab().toString();
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new TrainingInstances()
                    .setVocabDir(vocab)
                    .setObjective("mlm")
                    .setMaxSeqLength(64)
                    .setSeed(5),
            new TokenMasker().setVocabDir(vocab).setSeed(7).setEpoch(2)
        });
        PipelineModel fitted = pipeline.fit(documents);
        fitted.write().overwrite().save(tmp.resolve("training-data").toString());
        List<Row> rows = PipelineModel.load(tmp.resolve("training-data").toString())
                .transform(documents)
                .collectAsList();
        DynamicMasker masker = new DynamicMasker(TestFixtures.bertTokenizer(), 0.15, 20, false, 7);
        int differentInEpoch3 = 0;
        for (Row row : rows) {
            int[] ids = Columns.ints(row, row.fieldIndex("input_ids"));
            long id = row.getLong(row.fieldIndex("instance_id"));
            MaskedInstance expected = masker.mask(ids, id, 2);
            assertArrayEquals(expected.inputIds(), Columns.ints(row, row.fieldIndex("masked_input_ids")));
            assertArrayEquals(expected.maskedPositions(), Columns.ints(row, row.fieldIndex("masked_positions")));
            assertArrayEquals(expected.maskedLabels(), Columns.ints(row, row.fieldIndex("masked_ids")));
            assertTrue(expected.maskedPositions().length > 0);
            differentInEpoch3 +=
                    java.util.Arrays.equals(masker.mask(ids, id, 3).maskedPositions(), expected.maskedPositions())
                            ? 0
                            : 1;
        }
        assertTrue(rows.size() > 20, rows.size() + " instances");
        assertTrue(
                differentInEpoch3 > rows.size() / 2,
                "another epoch draws other masks: " + differentInEpoch3 + " of " + rows.size());
    }
}
