package org.sparkbert.evaluate.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Line splitting as Python's universal newlines do it, whatever sizes the stream's reads come in. */
class Utf8LineReaderTest {

    @Test
    void universalNewlinesInWholeAndInOneByteReads() throws IOException {
        String text = "a\r\nb\rc\n\nd\u00e9\u4e2d\r\r\ne";
        List<String> expected = List.of("a", "b", "c", "", "d\u00e9\u4e2d", "", "e");
        assertEquals(expected, lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))));
        assertEquals(expected, lines(oneByteAtATime(text.getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of("x", ""), lines(new ByteArrayInputStream("x\n\r".getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of(), lines(new ByteArrayInputStream(new byte[0])));
    }

    @Test
    void linesLongerThanTheBufferAndCrLfAcrossItsEdge() throws IOException {
        String longLine = "q".repeat(200_000);
        String edge = "p".repeat((1 << 16) - 1);
        String text = longLine + "\n" + edge + "\r\nlast";
        assertEquals(
                List.of(longLine, edge, "last"),
                lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void invalidUtf8FailsOnItsLine() throws IOException {
        byte[] bytes = {'o', 'k', '\n', (byte) 0xC3, '(', '\n'};
        try (Utf8LineReader reader = new Utf8LineReader(new ByteArrayInputStream(bytes))) {
            assertEquals("ok", reader.readLine());
            assertThrows(CharacterCodingException.class, reader::readLine);
        }
    }

    private static List<String> lines(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Utf8LineReader reader = new Utf8LineReader(in)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static InputStream oneByteAtATime(byte[] bytes) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
    }
}
