package org.sparkbert.ml;

import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * Whitening fitted by {@link Whitening}: maps a sentence vector x to (x - mean) W. Saved as the
 * params' metadata plus one Parquet row holding the mean and W under {@code data/}.
 */
public final class WhiteningModel extends Model<WhiteningModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private static final String DATA = "data";

    private final String uid;
    private final WhiteningParams params;
    private final DenseVector mean;
    private final DenseMatrix transform;

    WhiteningModel(String uid, DenseVector mean, DenseMatrix transform) {
        this.uid = uid; // before the params, which read it
        this.params = new WhiteningParams(this);
        if (transform.numRows() != mean.size()) {
            throw new IllegalArgumentException(
                    "W has " + transform.numRows() + " rows for a mean of " + mean.size() + " dimensions");
        }
        this.mean = mean;
        this.transform = transform.isTransposed() ? transform.toDenseColMajor() : transform;
        setDefault(params.inputCol, "embedding");
        setDefault(params.outputCol, "whitened");
        setDefault(params.k, 0);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return params.inputCol;
    }

    public Param<String> outputCol() {
        return params.outputCol;
    }

    public IntParam k() {
        return params.k;
    }

    public WhiteningModel setInputCol(String value) {
        set(params.inputCol, value);
        return this;
    }

    public WhiteningModel setOutputCol(String value) {
        set(params.outputCol, value);
        return this;
    }

    /** The fitted mean of the sentence vectors. */
    public DenseVector mean() {
        return mean;
    }

    /** The fitted W, hidden size x k. */
    public Matrix transformMatrix() {
        return transform;
    }

    /** (x - mean) W. */
    public Vector whiten(Vector x) {
        if (x.size() != mean.size()) {
            throw new IllegalArgumentException(
                    "a vector of " + x.size() + " dimensions; the whitening was fitted on " + mean.size());
        }
        int h = mean.size();
        int k = transform.numCols();
        double[] centred = new double[h];
        for (int i = 0; i < h; i++) {
            centred[i] = x.apply(i) - mean.apply(i);
        }
        double[] w = transform.values();
        double[] out = new double[k];
        for (int c = 0; c < k; c++) {
            double sum = 0;
            for (int r = 0; r < h; r++) {
                sum += centred[r] * w[c * h + r];
            }
            out[c] = sum;
        }
        return new DenseVector(out);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return params.transformSchema(this, schema);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        WhiteningModel fitted = this;
        var udf = functions.udf((UDF1<Vector, Vector>) fitted::whiten, SQLDataTypes.VectorType());
        return dataset.withColumn($(params.outputCol), udf.apply(dataset.col($(params.inputCol))));
    }

    @Override
    public WhiteningModel copy(ParamMap extra) {
        WhiteningModel copy = new WhiteningModel(uid, mean, transform);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<WhiteningModel> read() {
        return new Reader();
    }

    public static WhiteningModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final WhiteningModel model;

        Writer(WhiteningModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sparkSession());
            StructType schema = new StructType()
                    .add("mean", SQLDataTypes.VectorType(), false)
                    .add("transform", SQLDataTypes.MatrixType(), false);
            sparkSession()
                    .createDataFrame(List.of(RowFactory.create(model.mean, model.transform)), schema)
                    .repartition(1)
                    .write()
                    .parquet(path + "/" + DATA);
        }
    }

    private static final class Reader extends MLReader<WhiteningModel> {
        @Override
        public WhiteningModel load(String path) {
            DefaultParamsReader.Metadata metadata =
                    DefaultParamsReader.loadMetadata(path, sparkSession(), WhiteningModel.class.getName());
            Row row = sparkSession()
                    .read()
                    .parquet(path + "/" + DATA)
                    .select("mean", "transform")
                    .head();
            WhiteningModel model = new WhiteningModel(
                    metadata.uid(), ((Vector) row.get(0)).toDense(), ((Matrix) row.get(1)).toDense());
            metadata.getAndSetParams(model, scala.Option.empty());
            return model;
        }
    }
}
