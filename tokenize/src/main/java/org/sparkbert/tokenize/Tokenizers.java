package org.sparkbert.tokenize;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Opens a vocabulary directory (local, HDFS, any Hadoop file system) as a {@link Tokenizer}; the
 * files say which kind: {@code vocab.txt} is WordPiece, {@code vocab.json} with {@code merges.txt}
 * is byte-level BPE. Lower-casing comes from the caller, else from the directory's
 * {@code tokenizer.json}, else the kind's default (WordPiece uncased as bert-base-uncased, BPE cased
 * as GPT-2).
 */
public final class Tokenizers {
    public static final String VOCAB_TXT = "vocab.txt";
    public static final String VOCAB_JSON = "vocab.json";
    public static final String MERGES_TXT = "merges.txt";

    private Tokenizers() {}

    /**
     * @param vocabDir a directory URI or path holding vocab.txt, or vocab.json and merges.txt
     * @param lowercase whether to lower-case; {@code null} to take it from the directory
     * @throws VocabularyFormatException for a missing or damaged vocabulary, naming the file and line
     */
    public static Tokenizer load(String vocabDir, Configuration conf, Boolean lowercase) throws IOException {
        Path dir = new Path(vocabDir);
        FileSystem fs = dir.getFileSystem(conf);
        Path vocabTxt = new Path(dir, VOCAB_TXT);
        Path vocabJson = new Path(dir, VOCAB_JSON);
        Path merges = new Path(dir, MERGES_TXT);
        if (fs.exists(vocabTxt)) {
            List<String> tokens;
            try (InputStream in = fs.open(vocabTxt)) {
                tokens = VocabularyFiles.readVocabTxt(in, vocabTxt.toString());
            }
            return new WordPieceTokenizer(tokens, lowercase != null ? lowercase : directoryLowercases(fs, dir, true));
        }
        if (fs.exists(vocabJson) && fs.exists(merges)) {
            List<String> tokens;
            List<String[]> mergeList;
            try (InputStream in = fs.open(vocabJson)) {
                tokens = VocabularyFiles.readVocabJson(in, vocabJson.toString());
            }
            try (InputStream in = fs.open(merges)) {
                mergeList = VocabularyFiles.readMerges(in, merges.toString());
            }
            boolean lower = lowercase != null ? lowercase : directoryLowercases(fs, dir, false);
            try {
                return new ByteLevelBpeTokenizer(tokens, mergeList, lower);
            } catch (IllegalArgumentException e) {
                throw new VocabularyFormatException(dir + ": " + e.getMessage());
            }
        }
        throw new VocabularyFormatException("No vocabulary in " + dir + ": expected " + VOCAB_TXT + " (WordPiece) or "
                + VOCAB_JSON + " and " + MERGES_TXT + " (byte-level BPE).");
    }

    /** Loads with the default Hadoop configuration (local paths and file: URIs). */
    public static Tokenizer load(String vocabDir, Boolean lowercase) throws IOException {
        return load(vocabDir, new Configuration(), lowercase);
    }

    private static boolean directoryLowercases(FileSystem fs, Path dir, boolean defaultValue) throws IOException {
        Path json = new Path(dir, TokenizerJson.FILE);
        if (!fs.exists(json)) return defaultValue;
        try (InputStream in = fs.open(json)) {
            return TokenizerJson.lowercases(in, json.toString());
        }
    }
}
