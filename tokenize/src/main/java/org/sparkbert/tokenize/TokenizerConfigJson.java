package org.sparkbert.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Hugging Face's {@code tokenizer_config.json} and {@code special_tokens_map.json} as
 * {@code save_pretrained} writes them beside a vocabulary, so that {@code AutoTokenizer} picks
 * BertTokenizer (with do_lower_case as the vocabulary was trained) or RobertaTokenizer and knows its
 * special tokens. model_max_length is left out: a vocabulary has no model yet, and transformers then
 * takes no limit (checkpoints write their own with the model's length). The engine's checkpoint
 * writer writes the same keys (org.sparkbert.engine.checkpoint.TokenizerKind; the engine cannot
 * depend on this module, nor this module on the engine).
 */
public final class TokenizerConfigJson {
    public static final String CONFIG_FILE = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerConfigJson() {}

    /** special_tokens_map.json: which token of the vocabulary plays which part. */
    public static void writeSpecialTokensMap(OutputStream out, Tokenizer.Kind kind) throws IOException {
        write(out, specialTokens(kind));
    }

    /** tokenizer_config.json: the tokenizer class, its settings and its special tokens. */
    public static void writeTokenizerConfig(OutputStream out, Tokenizer.Kind kind, boolean lowercase)
            throws IOException {
        ObjectNode c = specialTokens(kind);
        c.put("clean_up_tokenization_spaces", true);
        if (kind == Tokenizer.Kind.WORDPIECE) {
            c.put("do_basic_tokenize", true);
            c.put("do_lower_case", lowercase);
            c.putNull("never_split");
            c.putNull("strip_accents");
            c.put("tokenize_chinese_chars", true);
            c.put("tokenizer_class", "BertTokenizer");
        } else {
            c.put("add_prefix_space", false);
            c.put("errors", "replace");
            c.put("trim_offsets", true);
            c.put("tokenizer_class", "RobertaTokenizer");
        }
        write(out, c);
    }

    private static ObjectNode specialTokens(Tokenizer.Kind kind) {
        ObjectNode m = JSON.createObjectNode();
        if (kind == Tokenizer.Kind.WORDPIECE) {
            m.put("cls_token", "[CLS]");
            m.put("mask_token", "[MASK]");
            m.put("pad_token", "[PAD]");
            m.put("sep_token", "[SEP]");
            m.put("unk_token", "[UNK]");
        } else {
            m.put("bos_token", "<s>");
            m.put("cls_token", "<s>");
            m.put("eos_token", "</s>");
            m.put("mask_token", "<mask>");
            m.put("pad_token", "<pad>");
            m.put("sep_token", "</s>");
            m.put("unk_token", "<unk>");
        }
        return m;
    }

    private static void write(OutputStream out, ObjectNode node) throws IOException {
        out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }
}
