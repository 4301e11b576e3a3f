package org.sparkbert.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.StructType;

/** The params {@link Whitening} and {@link WhiteningModel} share, declared once for both. */
final class WhiteningParams implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    final Param<String> inputCol;
    final Param<String> outputCol;
    final IntParam k;

    WhiteningParams(Params owner) {
        inputCol = new Param<>(owner, "inputCol", "the sentence vector column");
        outputCol = new Param<>(owner, "outputCol", "the whitened vector column");
        k = new IntParam(
                owner, "k", "dimensions kept, those of largest variance; 0 keeps all", ParamValidators.gtEq(0));
    }

    StructType transformSchema(Params owner, StructType schema) {
        Columns.require(schema, (String) owner.getOrDefault(inputCol), SQLDataTypes.VectorType(), "sentence vectors");
        return Columns.withColumn(schema, (String) owner.getOrDefault(outputCol), SQLDataTypes.VectorType());
    }
}
