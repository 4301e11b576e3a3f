package org.sparkbert.tokenize;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Hugging Face's single-file {@code tokenizer.json}, so that {@code tokenizers} and
 * {@code transformers} load a vocabulary as it is: a BERT normaliser and pre-tokenizer with a
 * WordPiece model, or GPT-2's byte-level pre-tokenizer with a BPE model. Written field by field in a
 * fixed order so that the same vocabulary always gives the same bytes.
 */
public final class TokenizerJson {
    public static final String FILE = "tokenizer.json";

    private TokenizerJson() {}

    /** Writes the tokenizer.json of a WordPiece vocabulary (tokens in id order). */
    public static void writeWordPiece(OutputStream out, List<String> vocabulary, boolean lowercase) throws IOException {
        try (JsonGenerator json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            writeHeader(json, vocabulary, VocabularyFiles.WORDPIECE_SPECIALS);
            json.writeObjectFieldStart("normalizer");
            json.writeStringField("type", "BertNormalizer");
            json.writeBooleanField("clean_text", true);
            json.writeBooleanField("handle_chinese_chars", true);
            json.writeNullField("strip_accents");
            json.writeBooleanField("lowercase", lowercase);
            json.writeEndObject();
            json.writeObjectFieldStart("pre_tokenizer");
            json.writeStringField("type", "BertPreTokenizer");
            json.writeEndObject();
            json.writeObjectFieldStart("post_processor");
            json.writeStringField("type", "BertProcessing");
            writeTokenAndId(json, "sep", "[SEP]", vocabulary);
            writeTokenAndId(json, "cls", "[CLS]", vocabulary);
            json.writeEndObject();
            json.writeObjectFieldStart("decoder");
            json.writeStringField("type", "WordPiece");
            json.writeStringField("prefix", WordPieceTokenizer.CONTINUATION);
            json.writeBooleanField("cleanup", true);
            json.writeEndObject();
            json.writeObjectFieldStart("model");
            json.writeStringField("type", "WordPiece");
            json.writeStringField("unk_token", WordPieceTokenizer.UNKNOWN);
            json.writeStringField("continuing_subword_prefix", WordPieceTokenizer.CONTINUATION);
            json.writeNumberField("max_input_chars_per_word", WordPieceTokenizer.MAX_INPUT_CHARS_PER_WORD);
            writeVocab(json, vocabulary);
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    /**
     * Writes the tokenizer.json of a byte-level BPE vocabulary. With RoBERTa's {@code <s>} and
     * {@code </s>} in the vocabulary the post-processor adds them as RoBERTa does; otherwise (GPT-2)
     * nothing is added.
     */
    public static void writeByteLevelBpe(
            OutputStream out, List<String> vocabulary, List<String[]> merges, boolean lowercase) throws IOException {
        try (JsonGenerator json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            List<String> specials = List.of("<s>", "<pad>", "</s>", "<unk>", "<mask>", "<|endoftext|>");
            writeHeader(json, vocabulary, specials);
            if (lowercase) {
                json.writeObjectFieldStart("normalizer");
                json.writeStringField("type", "Lowercase");
                json.writeEndObject();
            } else {
                json.writeNullField("normalizer");
            }
            json.writeFieldName("pre_tokenizer");
            writeByteLevelStep(json, false);
            json.writeFieldName("post_processor");
            if (vocabulary.contains("<s>") && vocabulary.contains("</s>")) {
                json.writeStartObject();
                json.writeStringField("type", "RobertaProcessing");
                writeTokenAndId(json, "sep", "</s>", vocabulary);
                writeTokenAndId(json, "cls", "<s>", vocabulary);
                json.writeBooleanField("trim_offsets", true);
                json.writeBooleanField("add_prefix_space", false);
                json.writeEndObject();
            } else {
                writeByteLevelStep(json, false);
            }
            json.writeFieldName("decoder");
            writeByteLevelStep(json, true);
            json.writeObjectFieldStart("model");
            json.writeStringField("type", "BPE");
            json.writeNullField("dropout");
            json.writeNullField("unk_token");
            json.writeNullField("continuing_subword_prefix");
            json.writeNullField("end_of_word_suffix");
            json.writeBooleanField("fuse_unk", false);
            json.writeBooleanField("byte_fallback", false);
            json.writeBooleanField("ignore_merges", false);
            writeVocab(json, vocabulary);
            json.writeArrayFieldStart("merges");
            for (String[] merge : merges) json.writeString(merge[0] + " " + merge[1]);
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    /** Whether a tokenizer.json lower-cases text: BertNormalizer's flag, or a Lowercase normaliser. */
    public static boolean lowercases(InputStream in, String name) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new VocabularyFormatException(name + " is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new VocabularyFormatException(name + " is not a JSON object.");
        return lowercases(root.get("normalizer"));
    }

    private static boolean lowercases(JsonNode normalizer) {
        if (normalizer == null || normalizer.isNull()) return false;
        String type = normalizer.path("type").asText();
        if (type.equals("BertNormalizer")) return normalizer.path("lowercase").asBoolean(true);
        if (type.equals("Lowercase")) return true;
        if (type.equals("Sequence")) {
            for (JsonNode step : normalizer.path("normalizers")) if (lowercases(step)) return true;
        }
        return false;
    }

    private static void writeHeader(JsonGenerator json, List<String> vocabulary, List<String> specials)
            throws IOException {
        json.writeStringField("version", "1.0");
        json.writeNullField("truncation");
        json.writeNullField("padding");
        json.writeArrayFieldStart("added_tokens");
        for (int id = 0; id < vocabulary.size(); id++) {
            if (!specials.contains(vocabulary.get(id))) continue;
            json.writeStartObject();
            json.writeNumberField("id", id);
            json.writeStringField("content", vocabulary.get(id));
            json.writeBooleanField("single_word", false);
            json.writeBooleanField("lstrip", false);
            json.writeBooleanField("rstrip", false);
            json.writeBooleanField("normalized", false);
            json.writeBooleanField("special", true);
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static void writeByteLevelStep(JsonGenerator json, boolean addPrefixSpace) throws IOException {
        json.writeStartObject();
        json.writeStringField("type", "ByteLevel");
        json.writeBooleanField("add_prefix_space", addPrefixSpace);
        json.writeBooleanField("trim_offsets", true);
        json.writeBooleanField("use_regex", true);
        json.writeEndObject();
    }

    private static void writeTokenAndId(JsonGenerator json, String field, String token, List<String> vocabulary)
            throws IOException {
        json.writeArrayFieldStart(field);
        json.writeString(token);
        json.writeNumber(vocabulary.indexOf(token));
        json.writeEndArray();
    }

    private static void writeVocab(JsonGenerator json, List<String> vocabulary) throws IOException {
        json.writeObjectFieldStart("vocab");
        for (int id = 0; id < vocabulary.size(); id++) json.writeNumberField(vocabulary.get(id), id);
        json.writeEndObject();
    }
}
