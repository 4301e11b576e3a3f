package org.sparkbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.job.StageCommand;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.train.checkpoint.CheckpointReader;
import org.sparkbert.tokenize.instances.InstancesJob;
import org.sparkbert.train.job.C4ForTests;

class TrainJobTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @TempDir
    static Path tmp;
    private static Path vocab;
    private static Path instances;
    private static long instanceCount;
    private static int vocabSize;

    @BeforeAll
    static void instancesOfTheC4Sample() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("TrainJobTest")
                .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate();
        Path shared = Path.of(System.getProperty("sparkbert.shared.data"));
        List<String> texts = C4ForTests.documents(
                shared.resolve("c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl"), 300);
        vocab = tmp.resolve("vocab");
        C4ForTests.smallVocabulary(shared.resolve("bert"), texts, 2000, vocab);
        vocabSize = Tokenizers.load(vocab.toString(), new Configuration(), null).vocabularySize();
        Path clean = tmp.resolve("clean");
        C4ForTests.writeCleanCorpus(spark, texts, clean.toString());
        instances = tmp.resolve("instances");
        assertEquals(0, StageCommand.execute(new InstancesJob(), "--master", "local[2]", "--input", clean.toString(),
                "--vocab", vocab.toString(), "--output", instances.toString(), "--objective", "nsp",
                "--max-seq-length", "64", "--seed", "5"));
        instanceCount = spark.read().parquet(instances.toString()).count();
        System.out.printf("%d instances, vocabulary of %d%n", instanceCount, vocabSize);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * BERT-tiny (MLM + NSP) on next-sentence instances that the instances stage cut from the C4
     * sample, with a small vocabulary cut from BERT's: the masked-LM loss starts at about ln V (no knowledge) and
     * must come down clearly in 300 steps, to about the entropy of the masked tokens' unigram
     * distribution (a model that learnt token frequencies reaches that entropy; a few hundred steps
     * of BERT-tiny do not get much further, and the test does not pretend they do).
     */
    @Test
    void trainingBertTinyOnC4LowersTheMaskedLmLoss() throws Exception {
        Path run = tmp.resolve("run");
        int code = StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", instances.toString(),
                "--vocab", vocab.toString(), "--model", projectRoot().resolve("conf/models/bert-tiny.conf").toString(), "--output", run.toString(),
                "--steps", "300", "--batch-size", "16", "--lr", "1e-3", "--warmup-steps", "30",
                "--max-predictions", "10", "--seed", "3", "--log-every", "50", "--threads", "2");
        assertEquals(0, code);

        List<JsonNode> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            metrics.add(JSON.readTree(line));
        }
        assertEquals(6, metrics.size());
        JsonNode first = metrics.get(0);
        JsonNode last = metrics.get(metrics.size() - 1);
        assertEquals(300, last.get("step").asLong());
        for (String key : List.of("loss", "mlm_loss", "mlm_accuracy", "nsp_loss", "nsp_accuracy", "lr",
                "tokens_per_second", "elapsed_seconds", "masked_unigram_entropy")) {
            assertTrue(last.has(key), key);
        }
        double initial = Math.log(vocabSize);
        System.out.printf("MLM loss: first interval %.3f, last %.3f (ln V %.3f, masked unigram entropy %.3f)%n",
                first.get("mlm_loss").asDouble(), last.get("mlm_loss").asDouble(), initial,
                last.get("masked_unigram_entropy").asDouble());
        double mlm = last.get("mlm_loss").asDouble();
        // An untrained model predicts uniformly: ln V. Measured here: 6.91 over steps 1-50, 6.09 over 251-300
        // (ln V 7.63, unigram entropy of the masked tokens 6.13); the bounds leave about 0.3 nats of slack.
        assertTrue(mlm < initial - 1.2, "MLM loss after 300 steps " + mlm + ", untrained ln V = " + initial);
        assertTrue(mlm < last.get("masked_unigram_entropy").asDouble() + 0.3,
                "the model learnt at least the token frequencies: " + mlm + " vs " + last.get("masked_unigram_entropy"));
        assertTrue(mlm < first.get("mlm_loss").asDouble() - 0.5, "loss fell from the first interval to the last");
        assertTrue(last.get("mlm_accuracy").asDouble() > first.get("mlm_accuracy").asDouble());

        JsonNode report = JSON.readTree(run.resolve("_REPORT.json").toFile());
        assertEquals("checkpoints/step-000300", report.path("checkpoint").asText(), report.toString());
        FileSystem fs = FileSystem.getLocal(new Configuration());
        CheckpointReader.Loaded checkpoint = CheckpointReader.read(fs,
                new org.apache.hadoop.fs.Path(run.resolve("checkpoints/step-000300").toUri()));
        assertEquals("nsp", checkpoint.model().objective());
        assertEquals(vocabSize, checkpoint.model().vocabSize());
        Set<String> names = new TreeSet<>(checkpoint.weights().keySet());
        assertTrue(names.contains("bert.encoder.layer.1.output.LayerNorm.weight"), names.toString());
        assertTrue(names.contains("cls.seq_relationship.weight"));
        assertTrue(Files.exists(run.resolve("checkpoints/step-000300/vocab.txt")));
    }

    @Test
    void refusesBadInputsBeforeWriting() throws Exception {
        Path run = tmp.resolve("bad-run");
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", tmp.resolve("nothing").toString(),
                "--vocab", vocab.toString(), "--model", "bert-tiny", "--output", run.toString(), "--steps", "1"));
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", instances.toString(),
                "--vocab", vocab.toString(), "--model", "no-such-model", "--output", run.toString(), "--steps", "1"));
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", instances.toString(),
                "--vocab", vocab.toString(), "--model", "bert-tiny", "--output", run.toString(), "--steps", "10",
                "--batch-size", "10", "--accumulate", "3"));
        // Instances without the label column (objective mlm) cannot train an nsp model.
        Path unlabeled = tmp.resolve("unlabeled");
        spark.read().parquet(instances.toString()).drop("label").write().parquet(unlabeled.toString());
        assertEquals(2, StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", unlabeled.toString(),
                "--vocab", vocab.toString(), "--model", "bert-tiny", "--output", run.toString(), "--steps", "1"));
        assertFalse(Files.exists(run.resolve("_REPORT.json")));
        assertTrue(instanceCount > 100);
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("sparkbert.project.root"));
    }

}
