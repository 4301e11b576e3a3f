package org.sparkbert.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
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
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.instances.InstanceRows;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.MaskedInstance;

/**
 * BERT's masked-LM corruption as a stage: tokenize's {@link DynamicMasker} applied to an ids column,
 * keyed by a stable per-row id and the epoch, so that the same (seed, epoch, id) always draws the same
 * mask, on any executor and in any partitioning. Adds the corrupted ids and the masked positions with
 * their original ids ({@code masked_positions}, {@code masked_ids}, as the instances stage names them).
 */
public final class TokenMasker extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> vocabDir;
    private final Param<String> inputCol;
    private final Param<String> idCol;
    private final Param<String> outputCol;
    private final Param<String> positionsCol;
    private final Param<String> labelsCol;
    private final LongParam seed;
    private final IntParam epoch;
    private final DoubleParam probability;
    private final IntParam maxPredictions;
    private final BooleanParam wholeWord;

    public TokenMasker(String uid) {
        this.uid = uid; // before the params, which read it
        vocabDir = new Param<>(this, "vocabDir", "the vocabulary the ids were encoded with");
        inputCol = new Param<>(this, "inputCol", "the token ids column (array<int>)");
        idCol = new Param<>(this, "idCol", "a stable id per row (long), which with seed and epoch fixes its mask");
        outputCol = new Param<>(this, "outputCol", "the corrupted ids column");
        positionsCol = new Param<>(this, "positionsCol", "the masked positions column");
        labelsCol = new Param<>(this, "labelsCol", "the original ids at the masked positions");
        seed = new LongParam(this, "seed", "the masking seed");
        epoch = new IntParam(this, "epoch", "the epoch; each draws a different mask", ParamValidators.gtEq(0));
        probability = new DoubleParam(
                this,
                "probability",
                "share of non-special tokens predicted",
                ParamValidators.inRange(0, 1, false, false));
        maxPredictions =
                new IntParam(this, "maxPredictions", "the most positions predicted per row", ParamValidators.gtEq(1));
        wholeWord = new BooleanParam(this, "wholeWord", "mask whole words (all their pieces together)");
        setDefault(inputCol, Columns.INPUT_IDS);
        setDefault(idCol, InstanceRows.INSTANCE_ID);
        setDefault(outputCol, "masked_input_ids");
        setDefault(positionsCol, InstanceRows.MASKED_POSITIONS);
        setDefault(labelsCol, InstanceRows.MASKED_IDS);
        setDefault(seed, 12345L);
        setDefault(epoch, 0);
        setDefault(probability, 0.15);
        setDefault(maxPredictions, 20);
        setDefault(wholeWord, false);
    }

    public TokenMasker() {
        this(Identifiable.randomUID("tokenMasker"));
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> vocabDir() {
        return vocabDir;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> idCol() {
        return idCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> positionsCol() {
        return positionsCol;
    }

    public Param<String> labelsCol() {
        return labelsCol;
    }

    public LongParam seed() {
        return seed;
    }

    public IntParam epoch() {
        return epoch;
    }

    public DoubleParam probability() {
        return probability;
    }

    public IntParam maxPredictions() {
        return maxPredictions;
    }

    public BooleanParam wholeWord() {
        return wholeWord;
    }

    public TokenMasker setVocabDir(String value) {
        set(vocabDir, value);
        return this;
    }

    public TokenMasker setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public TokenMasker setIdCol(String value) {
        set(idCol, value);
        return this;
    }

    public TokenMasker setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public TokenMasker setPositionsCol(String value) {
        set(positionsCol, value);
        return this;
    }

    public TokenMasker setLabelsCol(String value) {
        set(labelsCol, value);
        return this;
    }

    public TokenMasker setSeed(long value) {
        set(seed, value);
        return this;
    }

    public TokenMasker setEpoch(int value) {
        set(epoch, value);
        return this;
    }

    public TokenMasker setProbability(double value) {
        set(probability, value);
        return this;
    }

    public TokenMasker setMaxPredictions(int value) {
        set(maxPredictions, value);
        return this;
    }

    public TokenMasker setWholeWord(boolean value) {
        set(wholeWord, value);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        var intArray = DataTypes.createArrayType(DataTypes.IntegerType, false);
        Columns.require(schema, $(inputCol), intArray, "token ids");
        Columns.require(schema, $(idCol), DataTypes.LongType, "a stable row id");
        StructType out = Columns.withColumn(schema, $(outputCol), intArray);
        out = Columns.withColumn(out, $(positionsCol), intArray);
        return Columns.withColumn(out, $(labelsCol), intArray);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        if (!isDefined(vocabDir)) {
            throw new IllegalArgumentException("TokenMasker needs vocabDir: the vocabulary the ids were encoded with");
        }
        SparkSession spark = dataset.sparkSession();
        DynamicMasker masker;
        try {
            masker = new DynamicMasker(
                    Tokenizers.load($(vocabDir), spark.sparkContext().hadoopConfiguration(), null),
                    (Double) $(probability),
                    (Integer) $(maxPredictions),
                    (Boolean) $(wholeWord),
                    (Long) $(seed));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the vocabulary in " + $(vocabDir) + ": " + e.getMessage(), e);
        }
        int ids = dataset.schema().fieldIndex($(inputCol));
        int key = dataset.schema().fieldIndex($(idCol));
        int round = (Integer) $(epoch);
        var rows = dataset.toDF().javaRDD().mapPartitions((Iterator<Row> in) -> new Iterator<Row>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public Row next() {
                Row row = in.next();
                if (row.isNullAt(key)) {
                    throw new IllegalArgumentException(
                            "a row without its id in the id column: every row needs a stable id to be masked");
                }
                MaskedInstance m = masker.mask(Columns.ints(row, ids), row.getLong(key), round);
                return Columns.append(row, m.inputIds(), m.maskedPositions(), m.maskedLabels());
            }
        });
        return spark.createDataFrame(rows, out);
    }

    @Override
    public TokenMasker copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<TokenMasker> read() {
        return new DefaultParamsReader<>();
    }

    public static TokenMasker load(String path) {
        return read().load(path);
    }
}
