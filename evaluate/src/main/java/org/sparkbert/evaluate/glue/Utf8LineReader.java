package org.sparkbert.evaluate.glue;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a UTF-8 file, ending at \n, \r or \r\n like Python's universal newlines. Each line is
 * decoded on its own, strictly, so that invalid UTF-8 is reported at its own line (a decoding
 * {@code Reader} reads ahead and would fail at whatever line its buffer started).
 */
final class Utf8LineReader implements Closeable {
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[1024];
    private boolean skipLineFeed;

    Utf8LineReader(InputStream in) {
        this.in = in;
    }

    /** The next line without its terminator, or null at the end of the input. */
    String readLine() throws IOException {
        int length = 0;
        while (true) {
            if (position == limit && !fill()) {
                return length == 0 ? null : decode(length);
            }
            if (skipLineFeed) {
                skipLineFeed = false;
                if (buffer[position] == '\n') {
                    position++;
                    continue;
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n' && buffer[position] != '\r') {
                position++;
            }
            length = append(length, start, position);
            if (position < limit) {
                skipLineFeed = buffer[position] == '\r';
                position++;
                return decode(length);
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer);
        position = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }

    private int append(int length, int from, int to) {
        int count = to - from;
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(buffer, from, line, length, count);
        return length + count;
    }

    private String decode(int length) throws CharacterCodingException {
        return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
