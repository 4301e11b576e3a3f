package org.sparkbert.ingest.read;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a byte stream as lines ({@code \n}-terminated, a trailing {@code \r} dropped) and as byte
 * blocks, counting the bytes consumed so that every record knows its offset. A line longer than the
 * caller's bound is consumed whole but only its first bytes are kept: one giant line must not take the
 * executor's memory.
 */
final class ByteLineReader implements Closeable {
    /** Bytes kept of a line or block that exceeds the bound, for the rejects' raw column. */
    static final int PREVIEW_BYTES = 1000;

    /** A line read: its bytes in {@code bytes[0, length)}, and whether it was cut because it was too long. */
    static final class Line {
        final byte[] bytes;
        final int length;
        final boolean tooLong;

        Line(byte[] bytes, int length, boolean tooLong) {
            this.bytes = bytes;
            this.length = length;
            this.tooLong = tooLong;
        }

        boolean isBlank() {
            for (int i = 0; i < length; i++) {
                byte b = bytes[i];
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }

        boolean startsWith(String ascii) {
            if (length < ascii.length()) {
                return false;
            }
            for (int i = 0; i < ascii.length(); i++) {
                if (bytes[i] != ascii.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private long consumed;
    private long linesRead;
    private byte[] line = new byte[1024];

    ByteLineReader(InputStream in) {
        this.in = in;
    }

    /** Bytes consumed so far: the offset of whatever is read next. */
    long position() {
        return consumed;
    }

    /** Lines read so far: the line number of the last one. */
    long linesRead() {
        return linesRead;
    }

    /**
     * Counts a damaged stretch of the stream (a gzip member that could not be read) as one byte and one
     * line, so that its reject has a position no record of the file shares, whatever the format.
     */
    void gap() {
        consumed++;
        linesRead++;
    }

    /** The next line without its terminator, or null at the end of the stream. */
    Line readLine(int maxBytes) throws IOException {
        int n = 0;
        boolean tooLong = false;
        boolean sawAnything = false;
        while (true) {
            if (pos == limit && !fill()) {
                if (!sawAnything) {
                    return null;
                }
                break;
            }
            sawAnything = true;
            int end = pos;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            int chunk = end - pos;
            if (!tooLong && n + chunk > maxBytes) {
                tooLong = true;
                int keep = Math.max(0, Math.min(PREVIEW_BYTES - n, chunk));
                n = append(n, buffer, pos, keep);
            } else if (!tooLong) {
                n = append(n, buffer, pos, chunk);
            }
            consumed += chunk;
            pos = end;
            if (end < limit) {
                pos++;
                consumed++;
                break;
            }
        }
        if (!tooLong && n > 0 && line[n - 1] == '\r') {
            n--;
        }
        linesRead++;
        return new Line(line, n, tooLong);
    }

    /** Exactly {@code length} bytes, or null when the stream ends first. */
    byte[] readFully(int length) throws IOException {
        byte[] out = new byte[length];
        int n = 0;
        while (n < length) {
            if (pos == limit && !fill()) {
                return null;
            }
            int chunk = Math.min(length - n, limit - pos);
            System.arraycopy(buffer, pos, out, n, chunk);
            pos += chunk;
            n += chunk;
            consumed += chunk;
        }
        return out;
    }

    /** Skips {@code length} bytes; false when the stream ends first. */
    boolean skip(long length) throws IOException {
        long left = length;
        while (left > 0) {
            if (pos == limit && !fill()) {
                return false;
            }
            int chunk = (int) Math.min(left, limit - pos);
            pos += chunk;
            left -= chunk;
            consumed += chunk;
        }
        return true;
    }

    /** Up to {@code max} bytes ahead of the current position, without consuming them. */
    byte[] peek(int max) throws IOException {
        while (limit - pos < max) {
            if (pos > 0) {
                System.arraycopy(buffer, pos, buffer, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            int r = in.read(buffer, limit, Math.min(max, buffer.length) - limit);
            if (r < 0) {
                break;
            }
            limit += r;
        }
        return Arrays.copyOfRange(buffer, pos, Math.min(limit, pos + max));
    }

    private int append(int n, byte[] src, int from, int count) {
        if (n + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, n + count));
        }
        System.arraycopy(src, from, line, n, count);
        return n + count;
    }

    private boolean fill() throws IOException {
        int r = in.read(buffer, 0, buffer.length);
        while (r == 0) {
            r = in.read(buffer, 0, buffer.length);
        }
        if (r < 0) {
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = r;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
