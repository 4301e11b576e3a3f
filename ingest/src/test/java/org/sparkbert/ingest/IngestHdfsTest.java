package org.sparkbert.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.job.StageCommand;

/** The whole stage against HDFS: inputs, output and --previous on a MiniDFSCluster. */
class IngestHdfsTest {
    private static MiniDFSCluster cluster;
    private static FileSystem fs;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        Configuration conf = new Configuration();
        conf.set(
                MiniDFSCluster.HDFS_MINIDFS_BASEDIR,
                Files.createTempDirectory("minidfs").toString());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        fs = cluster.getFileSystem();
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("IngestHdfsTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() throws IOException {
        spark.stop();
        fs.close();
        cluster.shutdown();
    }

    private static String hdfs(String path) {
        return fs.getUri() + path;
    }

    @Test
    void ingestsFromAndIntoHdfs() throws IOException {
        List<String> pages = Corpus.cleanRealNews(5, 3);
        StringBuilder shard = new StringBuilder();
        for (int i = 0; i < pages.size(); i++) {
            shard.append(Corpus.JSON.writeValueAsString(Corpus.page(pages.get(i), "https://h.example/" + i, null)))
                    .append('\n');
        }
        fs.mkdirs(new Path("/raw/night1"));
        try (var out = fs.create(new Path("/raw/night1/shard.json.gz"))) {
            out.write(IngestJobTest.gzip(shard.toString().getBytes(StandardCharsets.UTF_8)));
        }
        fs.copyFromLocalFile(new Path(Corpus.realNews().toString()), new Path("/raw/night1/news.jsonl"));

        assertEquals(
                0,
                StageCommand.execute(new IngestJob(), "--input", hdfs("/raw/night1"), "--output", hdfs("/corpus/1")));
        JsonNode report = readReport("/corpus/1");
        long in = report.path("records_in").asLong();
        assertEquals(605, in);
        long dropped = 0;
        for (JsonNode n : report.path("dropped")) {
            dropped += n.asLong();
        }
        assertEquals(in, report.path("records_out").asLong() + dropped);
        assertEquals(
                report.path("records_out").asLong(),
                spark.read().parquet(hdfs("/corpus/1/clean")).count()
                        + spark.read().parquet(hdfs("/corpus/1/validation")).count());
        assertTrue(report.path("records_out").asLong() >= 5);
        assertFalse(fs.exists(new Path("/corpus/.1.inprogress")), "no work directory is left");

        // Night 2 on HDFS with --previous: the same files add nothing.
        assertEquals(
                0,
                StageCommand.execute(
                        new IngestJob(),
                        "--input",
                        hdfs("/raw/night1/*"),
                        "--output",
                        hdfs("/corpus/2"),
                        "--previous",
                        hdfs("/corpus/1")));
        JsonNode second = readReport("/corpus/2");
        assertEquals(0, second.path("records_in").asLong());
        assertEquals(2, second.path("counters").path("input_files_skipped").asLong());

        // A missing HDFS input is a usage error with nothing written.
        assertEquals(
                2,
                StageCommand.execute(
                        new IngestJob(), "--input", hdfs("/raw/nothing-here"), "--output", hdfs("/corpus/3")));
        assertFalse(fs.exists(new Path("/corpus/3")));
    }

    private static JsonNode readReport(String dir) throws IOException {
        try (FSDataInputStream in = fs.open(new Path(dir, "_REPORT.json"))) {
            return Corpus.JSON.readTree(in);
        }
    }
}
