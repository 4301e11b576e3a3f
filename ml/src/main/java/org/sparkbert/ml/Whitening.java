package org.sparkbert.ml;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.evaluate.heldout.SymmetricEigen;

/**
 * BERT-whitening (Su et al. 2021) fitted on a column of sentence vectors: their mean mu and the
 * covariance's decomposition U diag(s) U^T give W = U[:, :k] diag(1/sqrt(s[:k])), and the model maps
 * x to (x - mu) W, whose covariance is the identity (over the fitted vectors) and whose k dimensions
 * are those of largest variance. Mean and covariance are computed distributed (MLlib's RowMatrix).
 */
public final class Whitening extends Estimator<WhiteningModel> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final WhiteningParams params;

    public Whitening(String uid) {
        this.uid = uid; // before the params, which read it
        params = new WhiteningParams(this);
        setDefault(params.inputCol, "embedding");
        setDefault(params.outputCol, "whitened");
        setDefault(params.k, 0);
    }

    public Whitening() {
        this(Identifiable.randomUID("whitening"));
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

    public Whitening setInputCol(String value) {
        set(params.inputCol, value);
        return this;
    }

    public Whitening setOutputCol(String value) {
        set(params.outputCol, value);
        return this;
    }

    public Whitening setK(int value) {
        set(params.k, value);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return params.transformSchema(this, schema);
    }

    @Override
    public WhiteningModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        var rows = dataset.select((String) $(params.inputCol)).javaRDD().map(r -> Vectors.fromML((Vector) r.get(0)));
        RowMatrix matrix = new RowMatrix(rows.rdd());
        long n = matrix.numRows();
        int h = (int) matrix.numCols();
        if (n < 2) {
            throw new IllegalArgumentException("whitening needs at least two sentence vectors, got " + n);
        }
        int k = (Integer) $(params.k) == 0 ? h : (Integer) $(params.k);
        if (k > h) {
            throw new IllegalArgumentException("k = " + k + " exceeds the vectors' " + h + " dimensions");
        }
        double[] mean = matrix.computeColumnSummaryStatistics().mean().toArray();
        Matrix covariance = matrix.computeCovariance();
        double[][] cov = new double[h][h];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < h; j++) {
                cov[i][j] = covariance.apply(i, j);
            }
        }
        SymmetricEigen eigen = SymmetricEigen.of(cov);
        double floor = 1e-10 * Math.max(eigen.values[0], Double.MIN_NORMAL);
        if (!(eigen.values[k - 1] > floor)) {
            throw new IllegalArgumentException("the covariance of " + n + " sentence vectors has fewer than k = " + k
                    + " dimensions of non-zero variance: fit on more distinct sentences (more than the "
                    + h + " dimensions), or choose a smaller k");
        }
        double[] w = new double[h * k]; // column-major, as DenseMatrix stores it
        for (int c = 0; c < k; c++) {
            double scale = 1 / Math.sqrt(eigen.values[c]);
            for (int r = 0; r < h; r++) {
                w[c * h + r] = eigen.vectors[r][c] * scale;
            }
        }
        WhiteningModel model = new WhiteningModel(uid, new DenseVector(mean), new DenseMatrix(h, k, w));
        return copyValues(model.setParent(this), ParamMap.empty());
    }

    @Override
    public Whitening copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<Whitening> read() {
        return new DefaultParamsReader<>();
    }

    public static Whitening load(String path) {
        return read().load(path);
    }
}
