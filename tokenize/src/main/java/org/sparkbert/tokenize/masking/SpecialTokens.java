package org.sparkbert.tokenize.masking;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sparkbert.tokenize.Tokenizer;

/**
 * The ids of the special tokens of a vocabulary, looked up by the names its kind uses: BERT's
 * {@code [CLS] [SEP] [MASK] [PAD] [UNK]} for WordPiece, RoBERTa's {@code <s> </s> <mask> <pad> <unk>}
 * for byte-level BPE. The first four are required: without them there is no instance layout, no mask
 * and no padding. {@code unk} is -1 when a byte-level vocabulary has none (it never needs one).
 */
public record SpecialTokens(int cls, int sep, int mask, int pad, int unk) implements Serializable {

    public static SpecialTokens of(Tokenizer tokenizer) {
        String[] names = namesFor(tokenizer.kind());
        int[] ids = new int[names.length];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            ids[i] = tokenizer.id(names[i]);
            boolean optional = i == 4 && tokenizer.kind() == Tokenizer.Kind.BYTE_LEVEL_BPE;
            if (ids[i] < 0 && !optional) {
                missing.add(names[i]);
            }
        }
        if (!missing.isEmpty()) {
            String kind = tokenizer.kind() == Tokenizer.Kind.WORDPIECE ? "WordPiece" : "byte-level BPE";
            throw new IllegalArgumentException(
                    "The " + kind + " vocabulary has no " + String.join(", ", missing)
                            + " token" + (missing.size() > 1 ? "s" : "") + "; a " + kind + " vocabulary for BERT-style"
                            + " pretraining must hold "
                            + String.join(" ", List.of(names).subList(0, 4))
                            + ". Train the vocabulary with the vocab stage, which adds them, or add them to the vocabulary file.");
        }
        return new SpecialTokens(ids[0], ids[1], ids[2], ids[3], ids[4]);
    }

    static String[] namesFor(Tokenizer.Kind kind) {
        return switch (kind) {
            case WORDPIECE -> new String[] {"[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"};
            case BYTE_LEVEL_BPE -> new String[] {"<s>", "</s>", "<mask>", "<pad>", "<unk>"};
        };
    }

    public boolean isSpecial(int id) {
        return id == cls || id == sep || id == mask || id == pad || (unk >= 0 && id == unk);
    }
}
