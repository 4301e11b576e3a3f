package org.sparkbert.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.ingest.clean.CleaningRules;
import org.sparkbert.ingest.clean.PageFilter;
import org.sparkbert.job.StageCommand;

class IngestJobTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("IngestJobTest")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static int ingest(String... args) {
        return StageCommand.execute(new IngestJob(), args);
    }

    private Dataset<Row> clean(Path out) {
        return spark.read().parquet(out.resolve("clean").toString());
    }

    private Dataset<Row> validation(Path out) {
        return spark.read().parquet(out.resolve("validation").toString());
    }

    private Dataset<Row> rejects(Path out) {
        return spark.read().parquet(out.resolve("rejects").toString());
    }

    private static long dropped(JsonNode report, String reason) {
        return report.path("dropped").path(reason).asLong(0);
    }

    private static void assertReconciles(JsonNode report) {
        long sum = 0;
        for (Iterator<JsonNode> it = report.path("dropped").elements(); it.hasNext(); ) {
            sum += it.next().asLong();
        }
        assertEquals(
                report.path("records_in").asLong(), report.path("records_out").asLong() + sum, report.toString());
    }

    // ---------------------------------------------------------------------------------- bad input

    /** A page written for this test, so that it duplicates nothing in the shared sample. */
    static final String ORIGINAL_PAGE = "The village library opened its new reading room on a rainy Monday morning.\n"
            + "Children from the nearby school were the first visitors, and they stayed until the afternoon.\n"
            + "The librarian explained that the room had been built with money raised by the whole town.\n"
            + "Several older residents brought boxes of books that they had kept at home for many years.\n"
            + "Next month the library plans to offer evening classes for adults who want to learn to read.";

    /** A folder of corrupt files: each kind of bad input once, beside one good page. */
    private Path corruptFolder(String goodPage) throws IOException {
        Path folder = dir.resolve("corrupt");
        Files.createDirectories(folder);
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        lines.write(
                (Corpus.JSON.writeValueAsString(Corpus.page(goodPage, "https://good.example/1", "2019-04-25T12:57:54Z"))
                                + "\n")
                        .getBytes(StandardCharsets.UTF_8));
        lines.write("{\"text\": \"cut off\n".getBytes(StandardCharsets.UTF_8));
        lines.write("this is not json\n".getBytes(StandardCharsets.UTF_8));
        lines.write("{\"url\": \"https://no.text/\"}\n".getBytes(StandardCharsets.UTF_8));
        lines.write("{\"text\": 5}\n".getBytes(StandardCharsets.UTF_8));
        lines.write(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        lines.write("{\"text\": \"A page.\", \"timestamp\": \"yesterday\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(folder.resolve("mixed.jsonl"), lines.toByteArray());
        Files.write(folder.resolve("empty.json"), new byte[0]);
        byte[] gz = gzip(Files.readAllBytes(Corpus.realNews()));
        Files.write(folder.resolve("truncated.json.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        Files.writeString(folder.resolve("fake.json.gz"), "{\"text\": \"plain text under a .gz name.\"}\n");
        Files.writeString(folder.resolve("notes.txt"), "Just some notes, not a corpus.\n");
        return folder;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    @Test
    void countsReconcileOnTheSharedSampleAndAFolderOfCorruptFiles() throws IOException {
        Path corrupt = corruptFolder(ORIGINAL_PAGE);
        Path out = dir.resolve("out");
        assertEquals(0, ingest("--input", Corpus.c4Dir().toString(), corrupt.toString(), "--output", out.toString()));

        JsonNode report = Corpus.report(out);
        assertReconciles(report);
        assertEquals(1, dropped(report, "invalid_utf8"));
        assertEquals(2, dropped(report, "malformed_json"));
        assertEquals(1 + pagesWithoutTextInSharedSample(), dropped(report, "missing_text"));
        assertEquals(1, dropped(report, "invalid_field"));
        assertEquals(1, dropped(report, "invalid_timestamp"));
        assertEquals(1, dropped(report, "empty_file"));
        assertEquals(1, dropped(report, "truncated_gzip"));
        assertEquals(1, dropped(report, "not_gzip"));
        assertEquals(1, dropped(report, "unknown_format"));
        // sample-0000.warc.gz and sample-0001.warc.gz hold 22 + 15 HTTP responses (shared data README).
        assertEquals(37, dropped(report, "warc_html_response"));
        assertTrue(dropped(report, "wrong_language") > 0, "the raw Common Crawl extract has non-English pages");
        assertTrue(dropped(report, "too_few_sentences") > 0);

        // Counted from the written data, not only from the report.
        assertEquals(
                report.path("records_out").asLong(),
                clean(out).count() + validation(out).count());
        assertEquals(
                report.path("records_in").asLong() - report.path("records_out").asLong(),
                rejects(out).count());

        // Every reject knows its file and line.
        Row malformed = rejects(out)
                .where(col("reason").equalTo("malformed_json"))
                .orderBy("position")
                .first();
        assertTrue(malformed.<String>getAs("source").endsWith("corrupt/mixed.jsonl"));
        assertEquals(2L, malformed.<Long>getAs("position"));
        assertEquals("{\"text\": \"cut off", malformed.<String>getAs("raw"));

        // The good page of the corrupt folder arrives intact, and ids are unique.
        assertEquals(
                1,
                clean(out).where(col("url").equalTo("https://good.example/1")).count());
        assertEquals(clean(out).count(), clean(out).select("id").distinct().count());

        // The 32 pages that the two C4 files share (README) are found as exact duplicates when kept.
        assertTrue(dropped(report, "duplicate_exact") >= sharedPagesKeptByRules(), report.toString());
    }

    /** Records of the shared JSON files whose text is blank (the raw Common Crawl extract has some). */
    private static long pagesWithoutTextInSharedSample() throws IOException {
        long count = 0;
        List<Path> files;
        try (var walk = Files.walk(Corpus.c4Dir())) {
            files = walk.filter(
                            p -> p.toString().endsWith(".jsonl") || p.toString().endsWith(".jsonl.gz"))
                    .toList();
        }
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            if (f.toString().endsWith(".gz")) {
                bytes = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes)).readAllBytes();
            }
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()
                        && Corpus.JSON.readTree(line).path("text").asText("").isBlank()) {
                    count++;
                }
            }
        }
        return count;
    }

    private static long sharedPagesKeptByRules() throws IOException {
        Set<String> news = new HashSet<>(Corpus.realNewsTexts());
        PageFilter filter = new PageFilter(new CleaningRules(Corpus.defaults()));
        long count = 0;
        for (String line : Files.readAllLines(
                Corpus.c4Dir().resolve("c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl"))) {
            String text = Corpus.JSON.readTree(line).get("text").asText();
            if (news.contains(text) && filter.judge(text).isKept()) {
                count++;
            }
        }
        assertTrue(count > 0);
        return count;
    }

    @Test
    void badPathsExitTwoAndWriteNothing() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(2, ingest("--input", dir.resolve("missing").toString(), "--output", out.toString()));
        assertFalse(Files.exists(out));
        assertEquals(2, ingest("--input", dir.resolve("no*such*glob").toString(), "--output", out.toString()));
        assertFalse(Files.exists(out));
        Path notAnOutput = Files.createDirectories(dir.resolve("not-an-output"));
        assertEquals(
                2,
                ingest(
                        "--input",
                        Corpus.realNews().toString(),
                        "--output",
                        out.toString(),
                        "--previous",
                        notAnOutput.toString()));
        assertEquals(
                2,
                ingest(
                        "--input",
                        Corpus.realNews().toString(),
                        "--output",
                        out.toString(),
                        "--conf",
                        "ingest.dedup.near.treshold=0.5"));
        assertEquals(
                2,
                ingest(
                        "--input",
                        Corpus.realNews().toString(),
                        "--output",
                        out.toString(),
                        "--conf",
                        "ingest.dedup.near.threshold=1.5"));
        assertFalse(Files.exists(out));
        try (var listing = Files.list(dir)) {
            assertTrue(listing.noneMatch(p -> p.getFileName().toString().startsWith(".out")), "no work directory left");
        }
    }

    // ---------------------------------------------------------------------------------- dedup

    @Test
    void urlExactAndNearDuplicatesAreFoundAndUnrelatedPagesKept() {
        List<String> pages = Corpus.cleanRealNews(12, 4);
        String a = pages.get(0);
        String b = pages.get(1);
        String c = pages.get(2);
        List<Map<String, Object>> records = new ArrayList<>();
        // The same URL twice (normalised alike), the newer version wins whatever its text.
        records.add(Corpus.page(a, "https://www.example.com/story?utm_source=feed", "2019-01-01T00:00:00Z"));
        records.add(Corpus.page(pages.get(3), "http://example.com/story/", "2019-02-01T00:00:00Z"));
        // An exact copy of b under another URL.
        records.add(Corpus.page(b, "https://one.example/b", null));
        records.add(Corpus.page(b, "https://two.example/b", null));
        // A lightly edited copy of c: one word changed in its first and last lines.
        records.add(Corpus.page(c, "https://orig.example/c", null));
        records.add(Corpus.page(editWords(c), "https://copy.example/c", null));
        for (String unrelated : pages.subList(4, 12)) {
            records.add(Corpus.page(unrelated, null, null));
        }
        Path input = Corpus.writeJsonLines(dir.resolve("in/pages.jsonl"), records);
        Path out = dir.resolve("out");
        assertEquals(
                0,
                ingest(
                        "--input",
                        input.toString(),
                        "--output",
                        out.toString(),
                        "--conf",
                        "ingest.dedup.lines.enabled=false"));

        JsonNode report = Corpus.report(out);
        assertReconciles(report);
        assertEquals(1, dropped(report, "duplicate_url"));
        assertEquals(1, dropped(report, "duplicate_exact"));
        assertEquals(1, dropped(report, "duplicate_near"));
        assertEquals(records.size() - 3, report.path("records_out").asLong());

        Row urlDup = rejects(out).where(col("reason").equalTo("duplicate_url")).first();
        assertEquals(
                "2019-01-01 00:00:00.0", urlDup.getAs("timestamp").toString().replace("T", " "));
        Row newest = clean(out)
                .where(col("url").equalTo("http://example.com/story/"))
                .first();
        assertEquals(newest.<String>getAs("id"), urlDup.<String>getAs("survivor_id"));

        Row near = rejects(out).where(col("reason").equalTo("duplicate_near")).first();
        Set<String> cIds = new HashSet<>();
        for (Row r : clean(out)
                .where(col("url").isin("https://orig.example/c", "https://copy.example/c"))
                .collectAsList()) {
            cIds.add(r.getAs("id"));
        }
        assertEquals(Set.of(near.<String>getAs("survivor_id")), cIds, "one of the two survives, named by the other");
        for (String unrelated : pages.subList(4, 12)) {
            assertEquals(1, clean(out).where(col("text").equalTo(unrelated)).count());
        }
    }

    /** Changes one word in the first and the last line: a light edit that leaves most 5-grams intact. */
    static String editWords(String text) {
        String[] lines = text.split("\n");
        lines[0] = lines[0].replaceFirst(" the ", " a ");
        lines[lines.length - 1] = lines[lines.length - 1].replaceFirst(" (\\w+)\\.$", " indeed.");
        return String.join("\n", lines);
    }

    @Test
    void lineDeduplicationKeepsEachLineOnOnePage() {
        List<String> pages = Corpus.cleanRealNews(3, 4);
        String shared = pages.get(0).split("\n")[0];
        List<Map<String, Object>> records = new ArrayList<>();
        records.add(Corpus.page(pages.get(0), "https://a.example/", null));
        records.add(Corpus.page(pages.get(1) + "\n" + shared, "https://b.example/", null));
        records.add(Corpus.page(pages.get(2) + "\n" + shared + "\n" + shared, "https://c.example/", null));
        Path input = Corpus.writeJsonLines(dir.resolve("in/lines.jsonl"), records);
        Path out = dir.resolve("out");
        assertEquals(0, ingest("--input", input.toString(), "--output", out.toString()));

        JsonNode report = Corpus.report(out);
        assertReconciles(report);
        assertEquals(3, report.path("records_out").asLong());
        long pagesWithLine = 0;
        for (Row r : clean(out).union(validation(out)).collectAsList()) {
            String text = r.getAs("text");
            long copies = java.util.Arrays.stream(text.split("\n"))
                    .filter(shared::equals)
                    .count();
            assertTrue(copies <= 1);
            pagesWithLine += copies;
        }
        assertEquals(1, pagesWithLine, "the shared line stays on exactly one page");
        // b loses one copy or c loses two (one repeated within c), or a and one of them: at least 3 lines go.
        assertTrue(report.path("counters").path("lines_removed_line_dedup").asLong() >= 3, report.toString());
    }

    // ---------------------------------------------------------------------------------- incremental

    @Test
    void previousOutputsAreNotIngestedAgain() throws IOException {
        List<String> pages = Corpus.cleanRealNews(10, 4);
        List<Map<String, Object>> first = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            first.add(Corpus.page(pages.get(i), "https://first.example/" + i, null));
        }
        Path firstFile = Corpus.writeJsonLines(dir.resolve("night1/shard-0.jsonl"), first);
        Path night1 = dir.resolve("corpus-1");
        assertEquals(0, ingest("--input", firstFile.toString(), "--output", night1.toString()));
        assertEquals(6, Corpus.report(night1).path("records_out").asLong());

        // Night 2: the same shard again (copied to a new place), plus a shard holding an exact copy of
        // a page of night 1, an edited copy of another, and four new pages.
        Path copied = dir.resolve("night2/shard-0-copy.jsonl");
        Files.createDirectories(copied.getParent());
        Files.copy(firstFile, copied);
        List<Map<String, Object>> second = new ArrayList<>();
        second.add(Corpus.page(pages.get(0), "https://elsewhere.example/0", null));
        second.add(Corpus.page(editWords(pages.get(1)), "https://elsewhere.example/1", null));
        for (int i = 6; i < 10; i++) {
            second.add(Corpus.page(pages.get(i), "https://second.example/" + i, null));
        }
        Corpus.writeJsonLines(dir.resolve("night2/shard-1.jsonl"), second);
        Path night2 = dir.resolve("corpus-2");
        assertEquals(
                0,
                ingest(
                        "--input",
                        dir.resolve("night2").toString(),
                        "--output",
                        night2.toString(),
                        "--previous",
                        night1.toString()));

        JsonNode report = Corpus.report(night2);
        assertReconciles(report);
        assertEquals(1, report.path("counters").path("input_files_skipped").asLong());
        assertEquals(6, report.path("records_in").asLong(), "the copied shard is skipped, not read");
        assertEquals(1, dropped(report, "duplicate_exact_previous"));
        assertEquals(1, dropped(report, "duplicate_near_previous"));
        assertEquals(4, report.path("records_out").asLong());
        Set<String> night1Ids = new HashSet<>();
        clean(night1).select("id").collectAsList().forEach(r -> night1Ids.add(r.getString(0)));
        for (Row r : rejects(night2).where(col("survivor_id").isNotNull()).collectAsList()) {
            assertTrue(night1Ids.contains(r.<String>getAs("survivor_id")), "survivors are night 1's pages");
        }
        String manifest = Files.readString(night2.resolve("_MANIFEST.json"));
        assertTrue(manifest.contains("\"skipped\"") && manifest.contains("\"ingested\""), manifest);
    }

    @Test
    void aSecondIdenticalRunAddsNothing() throws IOException {
        Path input = Corpus.writeJsonLines(
                dir.resolve("in/pages.jsonl"),
                List.of(Corpus.page(Corpus.cleanRealNews(1, 3).get(0), "https://x.example/", null)));
        Path out = dir.resolve("out");
        assertEquals(0, ingest("--input", input.toString(), "--output", out.toString()));
        String report = Files.readString(out.resolve("_REPORT.json"));
        assertEquals(0, ingest("--input", input.toString(), "--output", out.toString()));
        assertEquals(report, Files.readString(out.resolve("_REPORT.json")), "the complete output is left as it was");
        assertEquals(1, clean(out).count());

        Path again = dir.resolve("again");
        assertEquals(
                0, ingest("--input", input.toString(), "--output", again.toString(), "--previous", out.toString()));
        assertEquals(0, Corpus.report(again).path("records_in").asLong());
        assertEquals(0, clean(again).count());
    }

    @Test
    void filesThatArriveAfterARunAreRefusedThenIngestedIncrementally() throws IOException {
        List<String> pages = Corpus.cleanRealNews(6, 3);
        Path folder = dir.resolve("raw/day");
        Corpus.writeJsonLines(
                folder.resolve("a.jsonl"),
                List.of(
                        Corpus.page(pages.get(0), "https://a.example/", null),
                        Corpus.page(pages.get(1), "https://a.example/2", null)));
        Path out = dir.resolve("day");
        assertEquals(0, ingest("--input", folder.toString(), "--output", out.toString()));
        String report = Files.readString(out.resolve("_REPORT.json"));

        // A late shard lands in the same folder, and cron runs the same command again.
        Path late = Corpus.writeJsonLines(
                folder.resolve("b-late.jsonl"),
                List.of(
                        Corpus.page(pages.get(2), "https://b.example/", null),
                        Corpus.page(pages.get(3), "https://b.example/2", null)));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = ingest("--input", folder.toString(), "--output", out.toString());
        } finally {
            System.setErr(stderr);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, message);
        assertTrue(message.contains("new files: " + late.toUri().toString().replace("file:///", "file:/")), message);
        assertTrue(
                message.contains("--previous "
                        + out.toUri().toString().replace("file:///", "file:/").replaceAll("/$", "")),
                message);
        assertEquals(report, Files.readString(out.resolve("_REPORT.json")), "the refused run wrote nothing");

        // The incremental run the message asks for reads only the late shard.
        Path next = dir.resolve("day-late");
        assertEquals(
                0, ingest("--input", folder.toString(), "--output", next.toString(), "--previous", out.toString()));
        JsonNode incremental = Corpus.report(next);
        assertReconciles(incremental);
        assertEquals(1, incremental.path("counters").path("input_files_skipped").asLong());
        assertEquals(2, incremental.path("records_in").asLong());
        Set<String> urls = new HashSet<>();
        // kept pages are in clean/ or, held out by the URL hash, in validation/
        clean(next).select("url").collectAsList().forEach(r -> urls.add(r.getString(0)));
        spark.read()
                .parquet(next.resolve(IngestOutput.VALIDATION_FOLDER).toString())
                .select("url")
                .collectAsList()
                .forEach(r -> urls.add(r.getString(0)));
        assertEquals(Set.of("https://b.example/", "https://b.example/2"), urls);
        // With both outputs named, the same command is a no-op again.
        assertEquals(
                0, ingest("--input", folder.toString(), "--output", next.toString(), "--previous", out.toString()));
    }
}
