package org.sparkbert.ingest.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concatenated gzip members, as Common Crawl writes them, with each kind of damage planted in a real
 * C4 shard cut into six members: every damage is one reject naming its byte offset, and the members
 * after it are still read (where Java's GZIPInputStream stops silently).
 */
class MultiMemberGzipTest {
    private static final int MEMBERS = 6;
    private static final int LINES_PER_MEMBER = 40;

    private static final List<byte[]> members = new ArrayList<>();
    /** Offset of each member in the concatenation, and the total length last. */
    private static final long[] starts = new long[MEMBERS + 1];

    @TempDir
    Path dir;

    @BeforeAll
    static void cutARealShardIntoMembers() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(
                System.getProperty("sparkbert.shared.data"),
                "c4/c4-realnewslike-train.00000-of-00512.records0001-0600.jsonl"));
        for (int m = 0; m < MEMBERS; m++) {
            StringBuilder part = new StringBuilder();
            for (String line : lines.subList(m * LINES_PER_MEMBER, (m + 1) * LINES_PER_MEMBER)) {
                part.append(line).append('\n');
            }
            byte[] gz = InputFileReaderTest.gzip(part.toString().getBytes(StandardCharsets.UTF_8));
            members.add(gz);
            starts[m + 1] = starts[m] + gz.length;
        }
    }

    private static byte[] concatenated() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        members.forEach(all::writeBytes);
        return all.toByteArray();
    }

    private List<InputRecord> read(String name, byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve(name), bytes);
        InputFile file = new InputFile(f.toUri().toString(), bytes.length, 0);
        List<InputRecord> out = new ArrayList<>();
        try (InputFileReader reader = InputFileReader.open(file, new Configuration(), 1 << 24)) {
            reader.forEachRemaining(out::add);
        }
        return out;
    }

    private static long pages(List<InputRecord> records) {
        return records.stream().filter(InputRecord::isPage).count();
    }

    private static List<InputRecord> rejects(List<InputRecord> records) {
        return records.stream().filter(r -> !r.isPage()).toList();
    }

    private static void assertOneReject(List<InputRecord> records, String reason, long offset) {
        List<InputRecord> rejects = rejects(records);
        assertEquals(1, rejects.size(), rejects.toString());
        assertEquals(reason, rejects.get(0).reason);
        assertTrue(rejects.get(0).raw.contains("at byte " + offset + " "), rejects.get(0).raw);
        assertEquals(
                records.size(),
                records.stream().mapToLong(r -> r.position).distinct().count(),
                "every record has a position of its own");
    }

    @Test
    void intactMembersAreReadAsOneStream() throws IOException {
        List<InputRecord> r = read("intact.json.gz", concatenated());
        assertEquals(MEMBERS * LINES_PER_MEMBER, r.size());
        assertEquals(MEMBERS * LINES_PER_MEMBER, pages(r));
        assertEquals(MEMBERS * LINES_PER_MEMBER, r.get(r.size() - 1).position);
    }

    @Test
    void aDamagedMemberHeaderIsRejectedAndTheMembersAfterItAreRead() throws IOException {
        byte[] bytes = concatenated();
        bytes[(int) starts[2] + 2] = 7; // compression method 7 is not deflate
        assertEquals(2 * LINES_PER_MEMBER, javaGzipLines(bytes), "the JDK stops silently after two members");
        List<InputRecord> r = read("bad-header.json.gz", bytes);
        assertOneReject(r, RejectReason.GZIP_BAD_HEADER, starts[2]);
        assertEquals((MEMBERS - 1) * LINES_PER_MEMBER, pages(r));
    }

    @Test
    void crcAndLengthMismatchesAreRejectedWithTheirMember() throws IOException {
        byte[] crc = concatenated();
        crc[(int) starts[2] - 8] ^= 0x55; // member 1's stored CRC-32
        List<InputRecord> r = read("crc.json.gz", crc);
        assertOneReject(r, RejectReason.GZIP_CRC_MISMATCH, starts[1]);
        assertEquals(MEMBERS * LINES_PER_MEMBER, pages(r), "a member's records are handed out before its trailer");

        byte[] length = concatenated();
        length[(int) starts[4] - 4] ^= 0x01; // member 3's stored length
        r = read("length.json.gz", length);
        assertOneReject(r, RejectReason.GZIP_LENGTH_MISMATCH, starts[3]);
        assertEquals(MEMBERS * LINES_PER_MEMBER, pages(r));
    }

    @Test
    void plainBytesAfterOrBetweenMembersAreRejected() throws IOException {
        byte[] garbage = "these bytes were appended by a broken copy\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream trailing = new ByteArrayOutputStream();
        trailing.writeBytes(concatenated());
        trailing.writeBytes(garbage);
        List<InputRecord> r = read("trailing.json.gz", trailing.toByteArray());
        assertOneReject(r, RejectReason.GZIP_TRAILING_GARBAGE, starts[MEMBERS]);
        assertEquals(MEMBERS * LINES_PER_MEMBER, pages(r));

        ByteArrayOutputStream between = new ByteArrayOutputStream();
        for (int m = 0; m < MEMBERS; m++) {
            between.writeBytes(members.get(m));
            if (m == 1) {
                between.writeBytes(garbage);
            }
        }
        assertEquals(
                2 * LINES_PER_MEMBER, javaGzipLines(between.toByteArray()), "the JDK stops silently at the garbage");
        r = read("between.json.gz", between.toByteArray());
        assertOneReject(r, RejectReason.GZIP_TRAILING_GARBAGE, starts[2]);
        assertEquals(MEMBERS * LINES_PER_MEMBER, pages(r));
    }

    @Test
    void corruptCompressedDataLosesOnlyItsMember() throws IOException {
        byte[] bytes = concatenated();
        // All-ones bits make the first deflate block's type 3, which does not exist.
        Arrays.fill(bytes, (int) starts[1] + 10, (int) starts[2] - 8, (byte) 0xFF);
        List<InputRecord> r = read("corrupt.json.gz", bytes);
        assertOneReject(r, RejectReason.CORRUPT_GZIP, starts[1]);
        assertEquals((MEMBERS - 1) * LINES_PER_MEMBER, pages(r));
    }

    @Test
    void aTruncatedLastMemberKeepsTheRecordsBeforeTheCut() throws IOException {
        byte[] bytes = Arrays.copyOf(concatenated(), (int) (starts[4] + members.get(4).length / 2));
        List<InputRecord> r = read("cut.json.gz", bytes);
        assertOneReject(r, RejectReason.TRUNCATED_GZIP, starts[4]);
        assertEquals(RejectReason.TRUNCATED_GZIP, r.get(r.size() - 1).reason);
        assertTrue(pages(r) >= 4 * LINES_PER_MEMBER && pages(r) < 5 * LINES_PER_MEMBER, "pages: " + pages(r));
    }

    @Test
    void theSharedWarcIsReadMemberByMemberWithoutDamage() throws IOException {
        Path f = Path.of(System.getProperty("sparkbert.shared.data"), "c4/cc-raw/sample-0001.warc.gz");
        List<InputRecord> r = read("sample-0001.warc.gz", Files.readAllBytes(f));
        assertEquals(15, r.size(), "15 HTTP responses (shared data README)");
        assertTrue(r.stream().allMatch(x -> RejectReason.WARC_HTML_RESPONSE.equals(x.reason)));
    }

    /** Lines the JDK's GZIPInputStream reads before it stops. */
    private static long javaGzipLines(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().count();
        }
    }
}
