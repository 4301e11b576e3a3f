package org.sparkbert.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tokenizer -> encoder -> whitening on real C4 sentences in local mode, saved and reloaded, checked
 * against the engine's own unpadded forward pass of the same checkpoint.
 */
class SentencePipelineTest {
    private static final int MAX_LENGTH = 40;
    private static final int MASK = 103;
    private static SparkSession spark;
    private static Path checkpoint;
    private static EngineOracle engine;
    private static List<String> sentences;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void checkpointAndSentences() throws IOException {
        spark = TestFixtures.session("SentencePipelineTest");
        checkpoint = TestFixtures.tinyCheckpoint(tmp.resolve("run"), 17);
        engine = new EngineOracle(checkpoint);
        sentences = TestFixtures.c4Sentences(100);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> texts(List<String> texts) {
        return spark.createDataset(texts, Encoders.STRING()).toDF("text").repartition(4);
    }

    private static TextTokenizer tokenizer() {
        return new TextTokenizer()
                .setVocabDir(TestFixtures.bertVocab().toString())
                .setMaxLength(MAX_LENGTH);
    }

    @Test
    void aSavedAndReloadedPipelineGivesTheEnginesOwnVectorsAndWhitensThem() throws IOException {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            tokenizer(),
            new SentenceEncoder()
                    .setCheckpointDir(checkpoint.toString())
                    .setMaxLength(MAX_LENGTH)
                    .setBatchSize(8),
            new Whitening().setK(16)
        });
        Dataset<Row> data = texts(sentences);
        PipelineModel fitted = pipeline.fit(data);
        Map<String, Row> before = byText(fitted.transform(data).collectAsList());
        String saved = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(saved);
        PipelineModel reloaded = PipelineModel.load(saved);
        List<Row> rows = reloaded.transform(data).collectAsList();
        assertEquals(sentences.size(), rows.size());

        double worst = 0;
        double[][] whitened = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int[] ids = Columns.ints(row, row.fieldIndex("input_ids"));
            double[] expected = engine.meanPooled(ids);
            double[] actual = ((Vector) row.getAs("embedding")).toArray();
            worst = Math.max(worst, maxDifference(expected, actual));
            whitened[r] = ((Vector) row.getAs("whitened")).toArray();
            assertArrayEquals(
                    ((Vector) before.get(row.getString(0)).getAs("whitened")).toArray(),
                    whitened[r],
                    1e-9,
                    "the reloaded whitening gives what the fitted one gave");
        }
        assertTrue(worst < 1e-4, "largest difference from the engine's unpadded forward: " + worst);
        assertEquals(16, whitened[0].length);
        assertIdentityCovariance(whitened);
    }

    @Test
    void clsPoolingAndPseudoLogLikelihoodMatchTheEngine() {
        List<String> few = sentences.subList(0, 6);
        SentenceEncoder encoder = new SentenceEncoder()
                .setCheckpointDir(checkpoint.toString())
                .setMaxLength(MAX_LENGTH)
                .setBatchSize(4)
                .setPooling("cls")
                .setOutputCol("cls")
                .setPllCol("pll");
        List<Row> rows = encoder.transform(tokenizer().transform(texts(few))).collectAsList();
        for (Row row : rows) {
            int[] ids = Columns.ints(row, row.fieldIndex("input_ids"));
            assertArrayEquals(engine.cls(ids), ((Vector) row.getAs("cls")).toArray(), 1e-4);
            double expected = engine.pseudoLogLikelihood(ids, MASK);
            double actual = row.getDouble(row.fieldIndex("pll"));
            assertTrue(expected < 0, "a log-likelihood is negative: " + expected);
            assertEquals(expected, actual, 1e-3 * Math.abs(expected), row.getString(0));
        }
    }

    @Test
    void modelsAreBuiltOncePerConcurrentTaskAndReusedAcrossPartitionsAndTransforms() {
        SentenceEncoder encoder = new SentenceEncoder()
                .setCheckpointDir(checkpoint.toString())
                .setMaxLength(24)
                .setBatchSize(5);
        Dataset<Row> tokens = tokenizer()
                .setMaxLength(24)
                .transform(texts(sentences.subList(0, 60)))
                .repartition(6)
                .cache();
        int builtBefore = ExecutorModels.built();
        assertEquals(60, encoder.transform(tokens).count());
        assertEquals(60, encoder.transform(tokens).count());
        int built = ExecutorModels.built() - builtBefore;
        assertTrue(built >= 1 && built <= 2, "12 partition tasks on local[2] laid out " + built + " models");
    }

    @Test
    void aRowLongerThanTheEncodersMaxLengthIsAClearError() {
        SentenceEncoder encoder =
                new SentenceEncoder().setCheckpointDir(checkpoint.toString()).setMaxLength(8);
        SparkException e = assertThrows(
                SparkException.class,
                () -> encoder.transform(tokenizer().transform(texts(sentences.subList(0, 4))))
                        .collect());
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().contains("longer than the encoder's maxLength 8"), root.getMessage());
    }

    private static Map<String, Row> byText(List<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        rows.forEach(r -> out.put(r.getString(0), r));
        return out;
    }

    private static double maxDifference(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    /** The covariance (divided by n - 1, as np.cov) of the whitened vectors is the identity. */
    private static void assertIdentityCovariance(double[][] v) {
        int n = v.length;
        int k = v[0].length;
        double[] mean = new double[k];
        for (double[] x : v) {
            for (int j = 0; j < k; j++) {
                mean[j] += x[j] / n;
            }
        }
        for (int a = 0; a < k; a++) {
            assertEquals(0, mean[a], 1e-6, "mean of dimension " + a);
            for (int b = 0; b < k; b++) {
                double c = 0;
                for (double[] x : v) {
                    c += (x[a] - mean[a]) * (x[b] - mean[b]);
                }
                assertEquals(a == b ? 1 : 0, c / (n - 1), 1e-6, "covariance " + a + "," + b);
            }
        }
    }
}
