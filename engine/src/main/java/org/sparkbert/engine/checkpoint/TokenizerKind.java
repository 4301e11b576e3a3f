package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The two tokenizer families the project writes, with the tokenizer_config.json and
 * special_tokens_map.json that Hugging Face's save_pretrained writes beside their vocabularies, so
 * that AutoTokenizer finds the special tokens: BertTokenizer's [CLS] [SEP] [PAD] [MASK] [UNK], and
 * RobertaTokenizer's &lt;s&gt; &lt;/s&gt; &lt;pad&gt; &lt;mask&gt; &lt;unk&gt;.
 */
public enum TokenizerKind {
    WORDPIECE,
    BYTE_LEVEL_BPE;

    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** special_tokens_map.json. */
    public ObjectNode specialTokensMap() {
        ObjectNode m = JSON.createObjectNode();
        if (this == WORDPIECE) {
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

    /** tokenizer_config.json for sequences of at most {@code maxLength} tokens. */
    public ObjectNode tokenizerConfig(boolean lowercase, int maxLength) {
        ObjectNode c = specialTokensMap();
        c.put("clean_up_tokenization_spaces", true);
        c.put("model_max_length", maxLength);
        if (this == WORDPIECE) {
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
        return c;
    }
}
