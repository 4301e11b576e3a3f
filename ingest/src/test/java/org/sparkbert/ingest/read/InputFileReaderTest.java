package org.sparkbert.ingest.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFileReaderTest {
    @TempDir
    Path dir;

    private static List<InputRecord> read(Path file, int maxRecordBytes) throws IOException {
        InputFile f = new InputFile(file.toUri().toString(), Files.size(file), 0);
        List<InputRecord> out = new ArrayList<>();
        try (InputFileReader reader = InputFileReader.open(f, new Configuration(), maxRecordBytes)) {
            reader.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<InputRecord> read(Path file) throws IOException {
        return read(file, 1 << 24);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    @Test
    void jsonLinesKeepTheirLineNumbersAndFields() throws IOException {
        Path f = dir.resolve("a.jsonl");
        Files.writeString(
                f,
                "{\"text\":\"One.\",\"url\":\"https://x.example/\",\"timestamp\":\"2019-04-25T12:57:54Z\"}\n"
                        + "\n"
                        + "{\"text\":\"Two.\",\"timestamp\":\"2019-04-25 13:00:00\",\"extra\":[1,2]}\r\n"
                        + "{\"text\":\"Three.\"}");
        List<InputRecord> r = read(f);
        assertEquals(3, r.size());
        assertEquals(1, r.get(0).position);
        assertEquals("https://x.example/", r.get(0).url);
        assertEquals(
                java.time.Instant.parse("2019-04-25T12:57:54Z"),
                r.get(0).timestamp.toInstant());
        assertEquals(3, r.get(1).position, "the blank line 2 is not a record but is counted");
        assertNull(r.get(1).url);
        assertEquals(
                java.time.Instant.parse("2019-04-25T13:00:00Z"),
                r.get(1).timestamp.toInstant());
        assertEquals("Three.", r.get(2).text);
        assertEquals(4, r.get(2).position);
    }

    @Test
    void gzipIsRecognisedByContentNotName() throws IOException {
        Path f = dir.resolve("shard-without-suffix");
        Files.write(f, gzip("{\"text\":\"Zipped.\"}\n".getBytes(StandardCharsets.UTF_8)));
        List<InputRecord> r = read(f);
        assertEquals(1, r.size());
        assertEquals("Zipped.", r.get(0).text);
    }

    @Test
    void theSharedGzippedExtractReadsCompletely() throws IOException {
        Path f = Path.of(
                System.getProperty("sparkbert.shared.data"),
                "c4/cc-raw/CC-MAIN-20190717121559-20190717143559-00140.dolma-extracted.jsonl.gz");
        List<InputRecord> r = read(f);
        assertEquals(697, r.size(), "697 records (shared data README)");
        assertEquals(697, r.get(696).position);
    }

    @Test
    void badRecordsAreRejectedWithTheirReason() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(
                "{\"text\":\"fine.\"}\n{\"text\":\"unterminated\n[1,2,3]\n{\"text\":\"  \"}\n{\"text\":\"x\"} trailing\n"
                        .getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        b.write("{\"text\":\"ok\",\"url\":7}\n{\"text\":\"ok\",\"timestamp\":\"not a time\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        Files.write(f, b.toByteArray());
        List<String> reasons = new ArrayList<>();
        read(f).forEach(r -> reasons.add(r.reason));
        assertEquals(
                java.util.Arrays.asList(
                        null,
                        "malformed_json",
                        "malformed_json",
                        "missing_text",
                        "malformed_json",
                        "invalid_utf8",
                        "invalid_field",
                        "invalid_timestamp"),
                reasons);
    }

    @Test
    void anOverlongLineIsRejectedAndReadingGoesOn() throws IOException {
        Path f = dir.resolve("long.jsonl");
        Files.writeString(f, "{\"text\":\"" + "x".repeat(5000) + "\"}\n{\"text\":\"after.\"}\n");
        List<InputRecord> r = read(f, 1000);
        assertEquals("record_too_long", r.get(0).reason);
        assertTrue(r.get(0).raw.length() <= 1000);
        assertEquals("after.", r.get(1).text);
        assertEquals(2, r.get(1).position);
    }

    @Test
    void wholeFileProblemsAreOneRejectEach() throws IOException {
        Path empty = Files.write(dir.resolve("empty.json"), new byte[0]);
        assertEquals("empty_file", read(empty).get(0).reason);
        Path emptyGz = Files.write(dir.resolve("empty.json.gz"), gzip(new byte[0]));
        assertEquals("empty_file", read(emptyGz).get(0).reason);
        Path fake = Files.writeString(dir.resolve("fake.json.gz"), "{\"text\":\"not zipped.\"}\n");
        assertEquals(List.of("not_gzip"), read(fake).stream().map(r -> r.reason).toList());
        Path other = Files.writeString(dir.resolve("notes.csv"), "a,b,c\n1,2,3\n");
        assertEquals(
                List.of("unknown_format"),
                read(other).stream().map(r -> r.reason).toList());
    }

    @Test
    void aTruncatedGzipKeepsWhatCameBeforeTheDamage() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sb.append("{\"text\":\"Record number ").append(i).append(" with some words in it.\"}\n");
        }
        byte[] gz = gzip(sb.toString().getBytes(StandardCharsets.UTF_8));
        Path f = Files.write(dir.resolve("cut.json.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        List<InputRecord> r = read(f);
        InputRecord last = r.get(r.size() - 1);
        assertEquals("truncated_gzip", last.reason);
        assertTrue(r.size() > 100 && r.size() < 2000, "some records came before the cut: " + r.size());
        for (InputRecord rec : r.subList(0, r.size() - 1)) {
            assertTrue(rec.isPage() || "malformed_json".equals(rec.reason), "at most the cut line is malformed");
        }
        Path headerOnly = Files.write(dir.resolve("header.json.gz"), java.util.Arrays.copyOf(gz, 5));
        assertEquals("truncated_gzip", read(headerOnly).get(0).reason);
    }

    // ------------------------------------------------------------------------------------ WET

    /** A WARC record as the WET format writes it: version line, headers, blank line, body, two CRLFs. */
    private static byte[] warcRecord(String type, String url, String date, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("WARC/1.0\r\n");
        h.append("WARC-Type: ").append(type).append("\r\n");
        if (url != null) {
            h.append("WARC-Target-URI: ").append(url).append("\r\n");
        }
        if (date != null) {
            h.append("WARC-Date: ").append(date).append("\r\n");
        }
        h.append("Content-Type: text/plain\r\nContent-Length: ")
                .append(content.length)
                .append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void wetConversionRecordsArePagesAtTheirByteOffsets() throws IOException {
        byte[] info = warcRecord("warcinfo", null, "2019-07-17T12:15:59Z", "software: test\r\n");
        byte[] p1 = warcRecord(
                "conversion",
                "https://a.example/",
                "2019-07-17T12:15:59Z",
                "Première ligne du texte.\nSecond line of the text.");
        byte[] p2 = warcRecord("conversion", "https://b.example/x", "2019-07-17T12:16:00Z", "Just one line.");
        byte[] resp =
                warcRecord("response", "https://c.example/", "2019-07-17T12:16:01Z", "<html><body>Hi</body></html>");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(info);
        all.writeBytes(p1);
        all.writeBytes(p2);
        all.writeBytes(resp);
        Path plain = Files.write(dir.resolve("x.warc.wet"), all.toByteArray());
        Path gz = Files.write(dir.resolve("x.warc.wet.gz"), gzip(all.toByteArray()));
        for (Path f : List.of(plain, gz)) {
            List<InputRecord> r = read(f);
            assertEquals(3, r.size(), "warcinfo is not a record");
            assertEquals(info.length, r.get(0).position);
            assertEquals("https://a.example/", r.get(0).url);
            assertEquals("Première ligne du texte.\nSecond line of the text.", r.get(0).text);
            assertEquals(
                    java.time.Instant.parse("2019-07-17T12:15:59Z"),
                    r.get(0).timestamp.toInstant());
            assertEquals(info.length + p1.length, r.get(1).position);
            assertEquals("Just one line.", r.get(1).text);
            assertEquals("warc_html_response", r.get(2).reason);
            assertEquals(info.length + p1.length + p2.length, r.get(2).position);
        }
    }

    @Test
    void aTruncatedWetRecordIsRejected() throws IOException {
        byte[] p1 = warcRecord("conversion", "https://a.example/", null, "A complete page of text.");
        byte[] p2 = warcRecord("conversion", "https://b.example/", null, "This body is cut short before its end.");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(p1);
        all.write(p2, 0, p2.length - 20);
        List<InputRecord> r = read(Files.write(dir.resolve("cut.warc.wet"), all.toByteArray()));
        assertEquals(2, r.size());
        assertTrue(r.get(0).isPage());
        assertNull(r.get(0).timestamp, "a page without WARC-Date has no timestamp");
        assertEquals("truncated_warc_record", r.get(1).reason);
    }

    @Test
    void theSharedWarcOfHtmlResponsesIsRejectedRecordByRecord() throws IOException {
        Path f = Path.of(System.getProperty("sparkbert.shared.data"), "c4/cc-raw/sample-0000.warc.gz");
        List<InputRecord> r = read(f);
        assertEquals(22, r.size(), "22 HTTP responses (shared data README); requests and warcinfo are not records");
        assertTrue(r.stream().allMatch(x -> "warc_html_response".equals(x.reason)));
    }

    @Test
    void anEndlessWarcHeaderBlockIsRejectedWithinItsBound() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes("WARC/1.0\r\nWARC-Type: conversion\r\n".getBytes(StandardCharsets.UTF_8));
        byte[] junk =
                "X-Junk: this header line repeats far beyond any real WARC header\r\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 100_000; i++) {
            all.writeBytes(junk);
        }
        all.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        byte[] good = warcRecord("conversion", "https://after.example/", null, "The page after the poison.");
        all.writeBytes(good);
        byte[] bytes = all.toByteArray();
        Path f = Files.write(dir.resolve("poison.warc.wet.gz"), gzip(bytes));
        List<InputRecord> r = read(f);
        assertEquals(2, r.size());
        assertEquals("warc_header_too_long", r.get(0).reason);
        assertEquals(0, r.get(0).position);
        assertTrue(
                r.get(0).raw.length() <= 2 * ByteLineReader.PREVIEW_BYTES, "the reject keeps a preview, not the block");
        assertEquals("The page after the poison.", r.get(1).text);
        assertEquals(bytes.length - good.length, r.get(1).position);
    }
}
