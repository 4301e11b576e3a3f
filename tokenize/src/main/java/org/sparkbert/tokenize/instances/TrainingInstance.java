package org.sparkbert.tokenize.instances;

import java.io.Serializable;

/**
 * One pretraining instance, unpadded.
 *
 * @param key          its ordering key, from which its {@code instance_id} is numbered
 * @param docId        the document its first segment comes from
 * @param inputIds     {@code [CLS] A [SEP] B [SEP]} for pairs, {@code [CLS] sentences [SEP]} for mlm
 * @param tokenTypeIds 0 up to and including the first {@code [SEP]}, 1 after it; all 0 for mlm
 * @param label        1 = B is a random next (nsp) or A and B are swapped (sop), 0 = true order; {@link #NO_LABEL} for mlm
 */
public record TrainingInstance(InstanceKey key, String docId, int[] inputIds, int[] tokenTypeIds, int label)
        implements Serializable {
    public static final int NO_LABEL = -1;
}
