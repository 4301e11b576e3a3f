package org.sparkbert.tokenize;

/**
 * The character classes of google-research/bert tokenization.py ({@code _is_whitespace},
 * {@code _is_control}, {@code _is_punctuation}, {@code _is_chinese_char}), plus the extra separators
 * that Python's {@code str.split()} breaks on after cleaning (Zl, Zp), which that code relies on.
 * ASCII is answered from one table so that the common case costs a single array load.
 */
final class BertCharacters {
    static final byte OTHER = 0, WHITESPACE = 1, CONTROL = 2, PUNCTUATION = 3;

    private static final byte[] ASCII = asciiClasses();

    private BertCharacters() {}

    private static byte[] asciiClasses() {
        byte[] classes = new byte[128];
        for (int c = 0; c < 128; c++) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') classes[c] = WHITESPACE;
            else if (c < 32 || c == 127) classes[c] = CONTROL;
            else if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
                classes[c] = PUNCTUATION;
            }
        }
        return classes;
    }

    /** The class of an ASCII character (c < 128). */
    static byte asciiClass(char c) {
        return ASCII[c];
    }

    /** The class of any code point: whitespace first, then control (removed), then punctuation. */
    static byte classOf(int cp) {
        if (cp < 128) return ASCII[cp];
        if (cp == 0xFFFD) return CONTROL; // _clean_text drops U+FFFD like a control character
        int type = Character.getType(cp);
        switch (type) {
            case Character.SPACE_SEPARATOR:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return WHITESPACE;
            case Character.CONTROL:
            case Character.FORMAT:
                return CONTROL;
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return PUNCTUATION;
            default:
                return OTHER;
        }
    }

    static boolean isPunctuation(int cp) {
        return classOf(cp) == PUNCTUATION;
    }

    /** The CJK Unified Ideograph blocks of {@code _is_chinese_char}; Hangul and kana are not among them. */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
