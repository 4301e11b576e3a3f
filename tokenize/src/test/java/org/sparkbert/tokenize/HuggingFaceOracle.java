package org.sparkbert.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Hugging Face tokenizers (the Rust library, through DJL) as the oracle of our encoders. */
public final class HuggingFaceOracle {
    private HuggingFaceOracle() {}

    /** Opens a tokenizer.json without special tokens, padding or truncation. */
    public static HuggingFaceTokenizer open(Path tokenizerJson) throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(false)
                .optPadding(false)
                .optTruncation(false)
                .build();
    }

    /** Encodes every text both ways; returns how many differ, after printing the first differences. */
    public static int mismatches(Tokenizer ours, HuggingFaceTokenizer theirs, List<String> texts) {
        int differing = 0;
        for (String text : texts) {
            long[] expected = theirs.encode(text, false, false).getIds();
            long[] actual = Arrays.stream(ours.encode(text)).asLongStream().toArray();
            if (!Arrays.equals(expected, actual) && differing++ < 3) {
                System.err.println("differs: " + text.substring(0, Math.min(200, text.length())));
                System.err.println(
                        "  theirs " + Arrays.toString(Arrays.copyOf(expected, Math.min(60, expected.length))));
                System.err.println("  ours   " + Arrays.toString(Arrays.copyOf(actual, Math.min(60, actual.length))));
            }
        }
        return differing;
    }
}
