package org.sparkbert.evaluate.finetune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sparkbert.evaluate.glue.GlueExample;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * Encodes a GLUE example as BERT's run_classifier.py does: [CLS] a [SEP] for one sentence,
 * [CLS] a [SEP] b [SEP] with segment 0 then 1 for a pair, and when too long the longer side loses its
 * last token until the pair fits (_truncate_seq_pair).
 */
public final class PairEncoder {
    private final Tokenizer tokenizer;
    private final SpecialTokens specials;
    private final int maxSeqLength;

    public PairEncoder(Tokenizer tokenizer, int maxSeqLength) {
        if (maxSeqLength < 5) {
            throw new IllegalArgumentException(
                    "--max-seq-length must be at least 5 for a sentence pair, not " + maxSeqLength);
        }
        this.tokenizer = tokenizer;
        this.specials = SpecialTokens.of(tokenizer);
        this.maxSeqLength = maxSeqLength;
    }

    public EncodedPair encode(GlueExample example) {
        int[] a = tokenizer.encode(example.textA());
        if (example.textB() == null) {
            a = Arrays.copyOf(a, Math.min(a.length, maxSeqLength - 2));
            return assemble(a, null);
        }
        int[] b = tokenizer.encode(example.textB());
        int lengthA = a.length;
        int lengthB = b.length;
        while (lengthA + lengthB > maxSeqLength - 3) {
            if (lengthA > lengthB) {
                lengthA--;
            } else {
                lengthB--;
            }
        }
        return assemble(Arrays.copyOf(a, lengthA), Arrays.copyOf(b, lengthB));
    }

    public List<EncodedPair> encodeAll(List<GlueExample> examples) {
        List<EncodedPair> out = new ArrayList<>(examples.size());
        for (GlueExample e : examples) {
            out.add(encode(e));
        }
        return out;
    }

    public int padId() {
        return specials.pad();
    }

    private EncodedPair assemble(int[] a, int[] b) {
        int length = a.length + 2 + (b == null ? 0 : b.length + 1);
        int[] ids = new int[length];
        int[] types = new int[length];
        int k = 0;
        ids[k++] = specials.cls();
        for (int id : a) {
            ids[k++] = id;
        }
        ids[k++] = specials.sep();
        if (b != null) {
            for (int id : b) {
                types[k] = 1;
                ids[k++] = id;
            }
            types[k] = 1;
            ids[k] = specials.sep();
        }
        return new EncodedPair(ids, types);
    }
}
