package org.sparkbert.tokenize;

/**
 * GPT-2's {@code bytes_to_unicode}: every byte gets a printable character, the printable Latin-1
 * bytes keep their own and the rest are moved to U+0100 onwards, so that a byte-level BPE vocabulary
 * is a file of visible strings (a leading space shows as {@code Ġ}, U+0120).
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = byteToChar();
    private static final int[] CHAR_TO_BYTE = charToByte();

    private ByteLevel() {}

    private static char[] byteToChar() {
        char[] table = new char[256];
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) (256 + shifted++);
        }
        return table;
    }

    private static int[] charToByte() {
        int[] table = new int[512];
        java.util.Arrays.fill(table, -1);
        for (int b = 0; b < 256; b++) table[BYTE_TO_CHAR[b]] = b;
        return table;
    }

    /** The visible character of a byte (0-255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a visible character stands for, or -1 when it is not one of the 256. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The visible form of the UTF-8 bytes of a string. */
    public static String encode(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }
}
