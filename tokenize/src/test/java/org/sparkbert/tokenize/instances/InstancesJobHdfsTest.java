package org.sparkbert.tokenize.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;

/** The instances stage reading its corpus and vocabulary from HDFS and writing there (MiniDFSCluster). */
class InstancesJobHdfsTest {
    private static MiniDFSCluster hdfs;
    private static SparkSession spark;
    private static String root;

    @BeforeAll
    static void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(
                MiniDFSCluster.HDFS_MINIDFS_BASEDIR,
                Files.createTempDirectory("instances-hdfs").toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        root = hdfs.getURI().toString();
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("InstancesJobHdfsTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        hdfs.shutdown();
    }

    @Test
    void nspRunsEndToEndOnHdfs() throws Exception {
        FileSystem fs = hdfs.getFileSystem();
        CleanCorpusFixture.write(spark, SharedCorpus.c4(SharedCorpus.C4_EN, 150), root + "/corpus/ingest", 3, false);
        fs.copyFromLocalFile(
                new Path(SharedCorpus.bertVocabDir().resolve("vocab.txt").toUri()), new Path("/vocab/bert/vocab.txt"));

        String out = root + "/instances/nsp";
        int code = StageCommand.execute(
                new InstancesJob(),
                "--input",
                root + "/corpus/ingest",
                "--vocab",
                root + "/vocab/bert",
                "--output",
                out,
                "--objective",
                "nsp",
                "--master",
                "local[2]",
                "--dupe-factor",
                "2");
        assertEquals(0, code);

        JsonNode report = StageOutput.readReport(fs, new Path(out));
        assertTrue(report.path("complete").asBoolean());
        long instances = report.path("counters").path("instances").asLong();
        assertEquals(instances, spark.read().parquet(out).count());
        assertEquals(150, report.path("counters").path("documents_in").asLong());
        assertEquals(
                List.of("instance_id", "doc_id", "input_ids", "token_type_ids", "label"),
                List.of(spark.read().parquet(out).schema().fieldNames()));
        assertEquals(
                instances - 1,
                spark.read()
                        .parquet(out)
                        .agg(org.apache.spark.sql.functions.max("instance_id"))
                        .first()
                        .getLong(0),
                "instance ids are 0..n-1");
        assertFalse(
                fs.listStatus(new Path(root + "/instances")).length > 1, "no work directory left beside the output");
    }
}
