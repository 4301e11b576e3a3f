package org.sparkbert.ml;

import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The stages' default column names, and the schema checks and row building they share. */
final class Columns {
    static final String INPUT_IDS = "input_ids";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String ATTENTION_MASK = "attention_mask";

    private Columns() {}

    /** Fails, naming the column and what it should be, unless the schema has it with this type. */
    static void require(StructType schema, String name, DataType type, String what) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("no column '" + name + "' (" + what + ") in " + schema.simpleString());
        }
        DataType actual = schema.apply(name).dataType();
        if (!sameType(actual, type)) {
            throw new IllegalArgumentException("column '" + name + "' (" + what + ") must be " + type.simpleString()
                    + ", not " + actual.simpleString());
        }
    }

    /** Array types match whatever their element nullability. */
    private static boolean sameType(DataType actual, DataType wanted) {
        if (actual instanceof org.apache.spark.sql.types.ArrayType a
                && wanted instanceof org.apache.spark.sql.types.ArrayType w) {
            return sameType(a.elementType(), w.elementType());
        }
        return actual.equals(wanted);
    }

    static void requireAbsent(StructType schema, String name) {
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("output column '" + name + "' already exists; choose another name");
        }
    }

    static StructType withColumn(StructType schema, String name, DataType type) {
        requireAbsent(schema, name);
        return schema.add(new StructField(name, type, false, org.apache.spark.sql.types.Metadata.empty()));
    }

    /** The row with the values appended after its own. */
    static Row append(Row row, Object... values) {
        Object[] out = new Object[row.size() + values.length];
        for (int i = 0; i < row.size(); i++) {
            out[i] = row.get(i);
        }
        System.arraycopy(values, 0, out, row.size(), values.length);
        return RowFactory.create(out);
    }

    /** An int array column's values (Spark hands arrays back as Scala sequences). */
    static int[] ints(Row row, int index) {
        scala.collection.Seq<Object> seq = row.getSeq(index);
        int[] out = new int[seq.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Integer) seq.apply(i);
        }
        return out;
    }
}
