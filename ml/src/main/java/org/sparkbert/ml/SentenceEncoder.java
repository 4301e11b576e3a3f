package org.sparkbert.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.perplexity.ModelWeights;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * A checkpoint's encoder over the tokenizer's three array columns: adds a sentence vector column
 * (mean-pooled or [CLS]) and optionally a masked-LM pseudo-log-likelihood column. The checkpoint is
 * read once on the driver with the loader the evaluation jobs use and broadcast; each executor lays
 * out a model from it the first time a task needs one and reuses it for later partitions and later
 * transforms (see {@link ExecutorModels}). Rows are run batchSize at a time, padded to maxLength.
 */
public final class SentenceEncoder extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> checkpointDir;
    private final Param<String> vocabDir;
    private final Param<String> inputPrefix;
    private final Param<String> outputCol;
    private final Param<String> pooling;
    private final Param<String> pllCol;
    private final IntParam batchSize;
    private final IntParam maxLength;
    private final IntParam threads;

    private transient Broadcast<ModelWeights> broadcast;
    private transient String broadcastDir;

    public SentenceEncoder(String uid) {
        this.uid = uid; // before the params, which read it
        checkpointDir = new Param<>(
                this,
                "checkpointDir",
                "a checkpoint directory (config.json, model.safetensors), any Hadoop file system");
        vocabDir = new Param<>(
                this,
                "vocabDir",
                "the vocabulary directory for the special tokens of the pseudo-log-likelihood; default: the checkpoint's own copy");
        inputPrefix = new Param<>(
                this, "inputPrefix", "prefix of the input columns input_ids, token_type_ids, attention_mask");
        outputCol = new Param<>(this, "outputCol", "the sentence vector column");
        pooling = new Param<>(
                this, "pooling", "'mean' (over real tokens) or 'cls'", ParamValidators.inArray(new String[] {
                    "mean", "cls"
                }));
        pllCol = new Param<>(this, "pllCol", "the pseudo-log-likelihood column, or empty for none");
        batchSize = new IntParam(this, "batchSize", "rows per forward pass", ParamValidators.gtEq(1));
        maxLength = new IntParam(
                this, "maxLength", "the model's sequence length; longer rows are an error", ParamValidators.gtEq(2));
        threads = new IntParam(this, "threads", "CPU threads per task's model", ParamValidators.gtEq(1));
        setDefault(inputPrefix, "");
        setDefault(outputCol, "embedding");
        setDefault(pooling, "mean");
        setDefault(pllCol, "");
        setDefault(batchSize, 32);
        setDefault(maxLength, 128);
        setDefault(threads, 1);
    }

    public SentenceEncoder() {
        this(Identifiable.randomUID("sentenceEncoder"));
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> checkpointDir() {
        return checkpointDir;
    }

    public Param<String> vocabDir() {
        return vocabDir;
    }

    public Param<String> inputPrefix() {
        return inputPrefix;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> pooling() {
        return pooling;
    }

    public Param<String> pllCol() {
        return pllCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam maxLength() {
        return maxLength;
    }

    public IntParam threads() {
        return threads;
    }

    public SentenceEncoder setCheckpointDir(String value) {
        set(checkpointDir, value);
        return this;
    }

    public SentenceEncoder setVocabDir(String value) {
        set(vocabDir, value);
        return this;
    }

    public SentenceEncoder setInputPrefix(String value) {
        set(inputPrefix, value);
        return this;
    }

    public SentenceEncoder setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public SentenceEncoder setPooling(String value) {
        set(pooling, value);
        return this;
    }

    public SentenceEncoder setPllCol(String value) {
        set(pllCol, value);
        return this;
    }

    public SentenceEncoder setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    public SentenceEncoder setMaxLength(int value) {
        set(maxLength, value);
        return this;
    }

    public SentenceEncoder setThreads(int value) {
        set(threads, value);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        var intArray = DataTypes.createArrayType(DataTypes.IntegerType, false);
        String p = $(inputPrefix);
        Columns.require(schema, p + Columns.INPUT_IDS, intArray, "token ids");
        Columns.require(schema, p + Columns.TOKEN_TYPE_IDS, intArray, "segment ids");
        Columns.require(schema, p + Columns.ATTENTION_MASK, intArray, "attention mask");
        StructType out = Columns.withColumn(schema, $(outputCol), SQLDataTypes.VectorType());
        return $(pllCol).isEmpty() ? out : Columns.withColumn(out, $(pllCol), DataTypes.DoubleType);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        if (!isDefined(checkpointDir)) {
            throw new IllegalArgumentException(
                    "SentenceEncoder needs checkpointDir: a checkpoint directory written by the train stage");
        }
        SparkSession spark = dataset.sparkSession();
        Broadcast<ModelWeights> weights = weights(spark);
        ModelConfig config = weights.value().config();
        if (((Integer) $(maxLength)) > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("maxLength " + ((Integer) $(maxLength)) + " exceeds the checkpoint's "
                    + config.maxPositionEmbeddings() + " positions (" + $(checkpointDir) + ")");
        }
        StructType in = dataset.schema();
        String p = $(inputPrefix);
        var columns = new PartitionEncoder.InputColumns(
                in.fieldIndex(p + Columns.INPUT_IDS),
                in.fieldIndex(p + Columns.TOKEN_TYPE_IDS),
                in.fieldIndex(p + Columns.ATTENTION_MASK));
        var shape = new ExecutorModels.Shape(
                weights.id(), ((Integer) $(batchSize)), ((Integer) $(maxLength)), ((Integer) $(threads)));
        SpecialTokens specials = $(pllCol).isEmpty() ? null : specials(spark);
        var encoder = new PartitionEncoder(weights, shape, columns, Pooling.named($(pooling)), specials);
        return spark.createDataFrame(dataset.toDF().javaRDD().mapPartitions(encoder), out);
    }

    /** The checkpoint, read and verified on the driver and broadcast once per directory. */
    private synchronized Broadcast<ModelWeights> weights(SparkSession spark) {
        String dir = $(checkpointDir);
        if (broadcast == null || !dir.equals(broadcastDir)) {
            try {
                ModelWeights w = ModelWeights.read(dir, spark.sparkContext().hadoopConfiguration());
                broadcast =
                        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(w);
                broadcastDir = dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the checkpoint " + dir + ": " + e.getMessage(), e);
            }
        }
        return broadcast;
    }

    private SpecialTokens specials(SparkSession spark) {
        String dir = isDefined(vocabDir) ? $(vocabDir) : $(checkpointDir);
        try {
            return SpecialTokens.of(Tokenizers.load(dir, spark.sparkContext().hadoopConfiguration(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "the pseudo-log-likelihood needs the vocabulary's mask token, but " + dir
                            + " holds no readable vocabulary (set vocabDir): " + e.getMessage(),
                    e);
        }
    }

    @Override
    public SentenceEncoder copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<SentenceEncoder> read() {
        return new DefaultParamsReader<>();
    }

    public static SentenceEncoder load(String path) {
        return read().load(path);
    }
}
