package org.sparkbert.train.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
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
import org.sparkbert.job.StageOutput;
import org.sparkbert.train.TrainJob;
import org.sparkbert.train.job.Instance;

/** The train stage with --replicas in local mode: replicas as barrier tasks, checkpoints, the final one in RUN_DIR. */
class DistributedTrainJobTest {
    @TempDir
    static Path tmp;
    private static SparkSession spark;
    private static TinyBert bert;
    private static Path data;
    private static Path model;

    @BeforeAll
    static void instances() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("DistributedTrainJobTest")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false").getOrCreate();
        bert = new TinyBert();
        List<Row> rows = new ArrayList<>();
        for (Instance i : bert.instances(40, 9)) {
            rows.add(RowFactory.create(i.id(), toList(i.inputIds()), toList(i.tokenTypeIds()), i.label()));
        }
        StructType schema = new StructType().add("instance_id", DataTypes.LongType)
                .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("token_type_ids", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("label", DataTypes.IntegerType);
        data = tmp.resolve("instances");
        spark.createDataFrame(rows, schema).write().parquet(data.toString());
        model = tmp.resolve("tiny.conf");
        Files.writeString(model, "hidden_size=32\nnum_hidden_layers=1\nnum_attention_heads=2\nintermediate_size=64\n"
                + "max_position_embeddings=32\nobjective=nsp\n");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int x : a) out.add(x);
        return out;
    }

    @Test
    void twoReplicasOnTheRingWriteTheirCheckpoints() throws Exception {
        Path run = tmp.resolve("run-ring");
        int code = StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", data.toString(),
                "--vocab", bert.vocabDir.toString(), "--model", model.toString(), "--output", run.toString(),
                "--steps", "6", "--batch-size", "8", "--accumulate", "2", "--replicas", "2", "--allreduce", "ring",
                "--checkpoint-every", "3", "--keep-checkpoints", "2", "--max-predictions", "3", "--threads", "1",
                "--log-every", "3");
        assertEquals(0, code);
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-000006/model.safetensors")));
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-000003")));
        JsonNode report = StageOutput.readReport(FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(run.toUri()));
        assertEquals(2, report.path("replicas").asInt(), report.toString());
        assertEquals("checkpoints/step-000006", report.path("checkpoint").asText(), report.toString());
    }

    @Test
    void anUnevenSplitIsAUsageError() {
        int code = StageCommand.execute(new TrainJob(), "--master", "local[2]", "--data", data.toString(),
                "--vocab", bert.vocabDir.toString(), "--model", model.toString(), "--output",
                tmp.resolve("run-uneven").toString(), "--steps", "2", "--batch-size", "6", "--accumulate", "2",
                "--replicas", "2");
        assertTrue(code != 0);
    }
}
