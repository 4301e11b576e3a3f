package org.sparkbert.evaluate.glue;

import java.io.BufferedInputStream;
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
    private final BufferedInputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line = new byte[1024];

    Utf8LineReader(InputStream in) {
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    /** The next line without its terminator, or null at the end of the input. */
    String readLine() throws IOException {
        int length = 0;
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return decode(length);
            }
            if (b == '\r') {
                skipLineFeed();
                return decode(length);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, length * 2);
            }
            line[length++] = (byte) b;
        }
        return length == 0 ? null : decode(length);
    }

    private void skipLineFeed() throws IOException {
        in.mark(1);
        if (in.read() != '\n') {
            in.reset();
        }
    }

    private String decode(int length) throws CharacterCodingException {
        return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
