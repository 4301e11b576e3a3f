package org.sparkbert.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.job.StageCommand;

/** The held-out split of the ingest stage on the real shared sample. */
class IngestValidationSplitTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("IngestValidationSplitTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void heldOutPagesAreThoseWhoseUrlHashFallsBelowTheFractionAndTheCountsReconcile() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(
                0,
                StageCommand.execute(
                        new IngestJob(),
                        "--input",
                        Corpus.c4Dir().toString(),
                        "--output",
                        out.toString(),
                        "--conf",
                        "ingest.split.validation_fraction=0.1"));
        JsonNode report = Corpus.report(out);
        Dataset<Row> clean = spark.read().parquet(out.resolve("clean").toString());
        Dataset<Row> validation = spark.read().parquet(out.resolve("validation").toString());
        Dataset<Row> rejects = spark.read().parquet(out.resolve("rejects").toString());

        assertEquals(clean.schema(), validation.schema());
        long held = validation.count();
        long kept = clean.count();
        assertTrue(held > 0 && kept > 5 * held, "about a tenth held out: " + held + " of " + (held + kept));
        assertEquals(held, report.path("records_validation").asLong());
        assertEquals(kept, report.path("records_clean").asLong());
        assertEquals(kept + held, report.path("records_out").asLong());
        assertEquals(report.path("records_in").asLong(), kept + held + rejects.count());

        for (Row r : validation.select("url", "id").collectAsList()) {
            assertTrue(bucket(r) < 100_000, r.toString());
        }
        Set<String> cleanIds = new HashSet<>();
        for (Row r : clean.select("url", "id").collectAsList()) {
            assertTrue(bucket(r) >= 100_000, r.toString());
            cleanIds.add(r.getString(1));
        }
        for (Row r : validation.select("id").collectAsList()) {
            assertFalse(cleanIds.contains(r.getString(0)));
        }
    }

    @Test
    void aFractionOfOneIsRefusedBeforeAnythingIsWritten() {
        Path out = dir.resolve("refused");
        assertEquals(
                2,
                StageCommand.execute(
                        new IngestJob(),
                        "--input",
                        Corpus.c4Dir().toString(),
                        "--output",
                        out.toString(),
                        "--conf",
                        "ingest.split.validation_fraction=1"));
        assertFalse(Files.exists(out));
    }

    /** C4's normalize_url and md5 % 1,000,000, written out here rather than taken from the stage. */
    private static int bucket(Row urlAndId) throws Exception {
        String url = urlAndId.getString(0);
        String key = urlAndId.getString(1);
        if (url != null) {
            key = url.replaceAll("https?://(www\\.)?", "").replaceAll("\\?(utm_|ref|feed).*", "");
            while (key.endsWith("/")) {
                key = key.substring(0, key.length() - 1);
            }
        }
        byte[] md5 = MessageDigest.getInstance("MD5").digest(key.getBytes(StandardCharsets.UTF_8));
        return new BigInteger(1, md5).mod(BigInteger.valueOf(1_000_000)).intValue();
    }
}
