package org.sparkbert.tokenize.vocab;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.TokenizerConfigJson;
import org.sparkbert.tokenize.TokenizerJson;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.VocabularyFiles;

/** Writes a trained vocabulary in the ecosystem's file formats, the same bytes for the same vocabulary. */
final class VocabularyWriter {
    private VocabularyWriter() {}

    /** vocab.txt (one token per line, id = line number), tokenizer.json and the tokenizer config files. */
    static void writeWordPiece(FileSystem fs, Path dir, List<String> tokens, boolean lowercase) throws IOException {
        try (Writer out =
                new OutputStreamWriter(fs.create(new Path(dir, Tokenizers.VOCAB_TXT), false), StandardCharsets.UTF_8)) {
            for (String token : tokens) {
                out.write(token);
                out.write('\n');
            }
        }
        try (OutputStream out = fs.create(new Path(dir, TokenizerJson.FILE), false)) {
            TokenizerJson.writeWordPiece(out, tokens, lowercase);
        }
        writeTokenizerConfig(fs, dir, Tokenizer.Kind.WORDPIECE, lowercase);
    }

    /** vocab.json ({token: id} in id order), merges.txt ({@code #version: 0.2}, then rank order), tokenizer.json and the tokenizer config files. */
    static void writeByteLevelBpe(
            FileSystem fs, Path dir, List<String> tokens, List<String[]> merges, boolean lowercase) throws IOException {
        try (JsonGenerator json = new JsonFactory()
                .createGenerator(
                        (OutputStream) fs.create(new Path(dir, Tokenizers.VOCAB_JSON), false), JsonEncoding.UTF8)) {
            json.writeStartObject();
            for (int id = 0; id < tokens.size(); id++) json.writeNumberField(tokens.get(id), id);
            json.writeEndObject();
        }
        try (Writer out = new OutputStreamWriter(
                fs.create(new Path(dir, Tokenizers.MERGES_TXT), false), StandardCharsets.UTF_8)) {
            out.write(VocabularyFiles.MERGES_HEADER);
            out.write('\n');
            for (String[] merge : merges) {
                out.write(merge[0]);
                out.write(' ');
                out.write(merge[1]);
                out.write('\n');
            }
        }
        try (OutputStream out = fs.create(new Path(dir, TokenizerJson.FILE), false)) {
            TokenizerJson.writeByteLevelBpe(out, tokens, merges, lowercase);
        }
        writeTokenizerConfig(fs, dir, Tokenizer.Kind.BYTE_LEVEL_BPE, lowercase);
    }

    /** tokenizer_config.json and special_tokens_map.json, for AutoTokenizer.from_pretrained(dir). */
    private static void writeTokenizerConfig(FileSystem fs, Path dir, Tokenizer.Kind kind, boolean lowercase)
            throws IOException {
        try (OutputStream out = fs.create(new Path(dir, TokenizerConfigJson.CONFIG_FILE), false)) {
            TokenizerConfigJson.writeTokenizerConfig(out, kind, lowercase);
        }
        try (OutputStream out = fs.create(new Path(dir, TokenizerConfigJson.SPECIAL_TOKENS_FILE), false)) {
            TokenizerConfigJson.writeSpecialTokensMap(out, kind);
        }
    }
}
