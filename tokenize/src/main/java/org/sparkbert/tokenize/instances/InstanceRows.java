package org.sparkbert.tokenize.instances;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.MaskedInstance;

/**
 * The Parquet layout of the instances: {@code instance_id} (long), {@code doc_id} (string),
 * {@code input_ids} and {@code token_type_ids} (int arrays, unpadded), {@code label} (int, nsp and sop
 * only), and with static masks {@code masked_positions} and {@code masked_ids} (the original ids at
 * those positions; {@code input_ids} then holds the corrupted ids, as BERT's static data does).
 */
public final class InstanceRows implements Serializable {
    public static final String INSTANCE_ID = "instance_id";
    public static final String DOC_ID = "doc_id";
    public static final String INPUT_IDS = "input_ids";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    public static final String LABEL = "label";
    public static final String MASKED_POSITIONS = "masked_positions";
    public static final String MASKED_IDS = "masked_ids";
    /** Static masks are the masks a dynamic masker draws in this epoch, so the two agree. */
    public static final int STATIC_MASK_EPOCH = 0;

    private final boolean labelled;
    private final DynamicMasker staticMasker;

    /** @param staticMasker the masker that freezes masks into the rows, or null for dynamic masking at train time */
    public InstanceRows(boolean labelled, DynamicMasker staticMasker) {
        this.labelled = labelled;
        this.staticMasker = staticMasker;
    }

    public StructType schema() {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(INSTANCE_ID, DataTypes.LongType, false));
        fields.add(DataTypes.createStructField(DOC_ID, DataTypes.StringType, false));
        fields.add(DataTypes.createStructField(INPUT_IDS, intArray(), false));
        fields.add(DataTypes.createStructField(TOKEN_TYPE_IDS, intArray(), false));
        if (labelled) {
            fields.add(DataTypes.createStructField(LABEL, DataTypes.IntegerType, false));
        }
        if (staticMasker != null) {
            fields.add(DataTypes.createStructField(MASKED_POSITIONS, intArray(), false));
            fields.add(DataTypes.createStructField(MASKED_IDS, intArray(), false));
        }
        return DataTypes.createStructType(fields);
    }

    public Row row(long instanceId, TrainingInstance instance) {
        List<Object> values = new ArrayList<>(7);
        values.add(instanceId);
        values.add(instance.docId());
        MaskedInstance masked =
                staticMasker == null ? null : staticMasker.mask(instance.inputIds(), instanceId, STATIC_MASK_EPOCH);
        values.add(masked == null ? instance.inputIds() : masked.inputIds());
        values.add(instance.tokenTypeIds());
        if (labelled) {
            values.add(instance.label());
        }
        if (masked != null) {
            values.add(masked.maskedPositions());
            values.add(masked.maskedLabels());
        }
        return RowFactory.create(values.toArray());
    }

    private static ArrayType intArray() {
        return DataTypes.createArrayType(DataTypes.IntegerType, false);
    }
}
