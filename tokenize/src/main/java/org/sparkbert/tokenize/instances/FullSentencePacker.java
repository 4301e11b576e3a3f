package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * RoBERTa's FULL-SENTENCES inputs: whole sentences packed contiguously up to the maximum length,
 * crossing document boundaries with an extra separator, as {@code [CLS] sentences [SEP] sentences
 * [SEP]}, all segment ids 0 and no pair label. A sentence longer than an instance is cut into pieces
 * that fill instances of their own, so no token is lost.
 */
public final class FullSentencePacker implements Serializable {
    private final InstanceShape shape;
    private final SpecialTokens specials;

    public FullSentencePacker(InstanceShape shape, SpecialTokens specials) {
        this.shape = shape;
        this.specials = specials;
    }

    /**
     * Packs one group of consecutive documents.
     *
     * @param group the group's number, the source part of the instances' keys
     * @param docs  the group's documents, in order
     */
    public List<TrainingInstance> pack(long group, List<TokenizedDocument> docs, int dupe) {
        Packing packing = new Packing(group, dupe);
        for (TokenizedDocument doc : docs) {
            for (int[] sentence : doc.sentences()) {
                packing.add(sentence, doc.docId());
            }
            packing.endDocument();
        }
        packing.flush();
        return packing.out;
    }

    /** The instance being filled, and the instances already full. */
    private final class Packing {
        private final long group;
        private final int dupe;
        private final int capacity = shape.maxSeqLength() - 2;
        private final int[] content = new int[capacity];
        private final List<TrainingInstance> out = new ArrayList<>();
        private int length;
        private boolean endsWithSeparator;
        private String firstDocId;

        Packing(long group, int dupe) {
            this.group = group;
            this.dupe = dupe;
        }

        void add(int[] sentence, String docId) {
            if (length + sentence.length > capacity) {
                flush();
            }
            for (int from = 0; from < sentence.length; from += capacity) {
                int piece = Math.min(capacity, sentence.length - from);
                if (length + piece > capacity) {
                    flush();
                }
                if (length == 0) {
                    firstDocId = docId;
                }
                System.arraycopy(sentence, from, content, length, piece);
                length += piece;
                endsWithSeparator = false;
            }
        }

        /** The document separator, unless the instance is empty or full (its closing [SEP] then separates). */
        void endDocument() {
            if (length > 0 && length < capacity) {
                content[length++] = specials.sep();
                endsWithSeparator = true;
            }
        }

        void flush() {
            int end = endsWithSeparator ? length - 1 : length;
            if (end > 0) {
                int[] ids = new int[end + 2];
                ids[0] = specials.cls();
                System.arraycopy(content, 0, ids, 1, end);
                ids[end + 1] = specials.sep();
                InstanceKey key = InstanceKey.of(shape.seed(), group, dupe, out.size());
                out.add(new TrainingInstance(key, firstDocId, ids, new int[ids.length], TrainingInstance.NO_LABEL));
            }
            length = 0;
            endsWithSeparator = false;
        }
    }
}
