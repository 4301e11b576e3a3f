package org.sparkbert.ingest.read;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads one input file, streaming, as {@link InputRecord}s. The format is chosen by content: gzip by
 * its magic bytes (a file named {@code .gz} that is not gzip is rejected as a whole), then WARC when
 * the text starts with {@code WARC/}, JSON lines when it starts with {@code {}. A file that is empty
 * or of another format yields one reject record with its reason. Gzip is read member by member: each
 * damaged stretch (a bad member header, corrupt data, a CRC or length mismatch, trailing bytes,
 * truncation) is one reject naming its byte offset in the compressed file, the records around it are
 * kept, and reading goes on from the next intact member. Other I/O errors fail the task (Spark
 * retries it).
 */
public final class InputFileReader implements Iterator<InputRecord>, Closeable {
    private static final int SNIFF_BYTES = 4096;

    private final InputFile file;
    private final InputStream stream;
    private final int maxRecordBytes;
    private ByteLineReader lines;
    private RecordSource records;
    private InputRecord next;
    private boolean damaged;
    private boolean done;

    private InputFileReader(InputFile file, InputStream stream, int maxRecordBytes) {
        this.file = file;
        this.stream = stream;
        this.maxRecordBytes = maxRecordBytes;
    }

    public static InputFileReader open(InputFile file, Configuration conf, int maxRecordBytes) {
        try {
            Path path = new Path(file.path);
            FileSystem fs = path.getFileSystem(conf);
            return new InputFileReader(file, new BufferedInputStream(fs.open(path), 1 << 16), maxRecordBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open input file " + file.path, e);
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            next = fetch();
        }
        return next != null;
    }

    @Override
    public InputRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        InputRecord r = next;
        next = null;
        return r;
    }

    private InputRecord fetch() {
        try {
            if (records == null) {
                InputRecord problem = start();
                if (problem != null || records == null) {
                    finish();
                    return problem;
                }
            }
            InputRecord r = records.next();
            if (r == null) {
                finish();
            }
            return r;
        } catch (GzipDamage e) {
            return damaged(e);
        } catch (IOException e) {
            finish();
            throw new UncheckedIOException("Cannot read input file " + file.path, e);
        }
    }

    /**
     * Detects the format; returns a reject for the whole file when it has none we read, else null (with
     * no records to read when only damage came before the end).
     */
    private InputRecord start() throws IOException {
        if (lines == null) {
            stream.mark(2);
            int b0 = stream.read();
            int b1 = stream.read();
            stream.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            String name = file.path.toLowerCase(Locale.ROOT);
            if (!gzip && (name.endsWith(".gz") || name.endsWith(".gzip"))) {
                return InputRecord.rejected(file.path, 0, preview(stream), RejectReason.NOT_GZIP);
            }
            lines = new ByteLineReader(gzip ? new GzipMembers(stream) : stream);
        }
        byte[] head = lines.peek(SNIFF_BYTES);
        int first = firstContentByte(head);
        if (first < 0) {
            return damaged
                    ? null
                    : InputRecord.rejected(file.path, 0, Utf8.lossy(head, head.length), RejectReason.EMPTY_FILE);
        }
        if (startsWith(head, first, "WARC/")) {
            records = new WarcRecords(file.path, lines, maxRecordBytes);
        } else if (head[first] == '{') {
            records = new JsonLines(file.path, lines, maxRecordBytes);
        } else {
            return InputRecord.rejected(
                    file.path,
                    0,
                    Utf8.lossy(head, Math.min(head.length, ByteLineReader.PREVIEW_BYTES)),
                    RejectReason.UNKNOWN_FORMAT);
        }
        return null;
    }

    /** One reject for a damaged gzip stretch, whose position is taken from the records so that none shares it. */
    private InputRecord damaged(GzipDamage e) {
        damaged = true;
        long at = records == null ? lines.position() : records.position();
        lines.gap();
        return InputRecord.rejected(file.path, at, e.getMessage(), e.reason);
    }

    /** Index of the first byte that is not whitespace or a byte-order mark, or -1 when there is none. */
    private static int firstContentByte(byte[] head) {
        int i = 0;
        if (head.length >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
            i = 3;
        }
        while (i < head.length && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) {
            i++;
        }
        return i < head.length ? i : -1;
    }

    private static boolean startsWith(byte[] bytes, int from, String ascii) {
        if (bytes.length - from < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (bytes[from + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String preview(InputStream in) throws IOException {
        byte[] b = in.readNBytes(ByteLineReader.PREVIEW_BYTES);
        return Utf8.lossy(b, b.length);
    }

    private void finish() {
        done = true;
        try {
            if (lines != null) {
                lines.close();
            } else {
                stream.close();
            }
        } catch (IOException ignored) {
            // Nothing more is read from it; a close failure loses nothing.
        }
    }

    @Override
    public void close() {
        finish();
    }
}
