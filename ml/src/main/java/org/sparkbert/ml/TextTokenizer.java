package org.sparkbert.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
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
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;

/**
 * Text column in, BERT's three array columns out: {@code input_ids} ([CLS] the ids {@code encode}
 * gives [SEP]), {@code token_type_ids} and {@code attention_mask}, each name after outputPrefix.
 * WordPiece or byte-level BPE, as the vocabulary directory holds (any Hadoop file system); the
 * vocabulary is read once on the driver and broadcast.
 */
public final class TextTokenizer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> vocabDir;
    private final Param<String> inputCol;
    private final Param<String> outputPrefix;
    private final IntParam maxLength;
    private final BooleanParam truncation;
    private final BooleanParam padding;
    private final Param<String> lowercase;

    private transient Broadcast<Tokenizer> broadcast;
    private transient String broadcastKey;

    public TextTokenizer(String uid) {
        this.uid = uid; // before the params, which read it
        vocabDir = new Param<>(
                this,
                "vocabDir",
                "vocabulary directory: vocab.txt (WordPiece) or vocab.json + merges.txt (byte-level BPE)");
        inputCol = new Param<>(this, "inputCol", "the text column");
        outputPrefix = new Param<>(
                this, "outputPrefix", "prefix of the output columns input_ids, token_type_ids, attention_mask");
        maxLength = new IntParam(
                this, "maxLength", "the most tokens per row, [CLS] and [SEP] included", ParamValidators.gtEq(3));
        truncation = new BooleanParam(
                this, "truncation", "cut longer texts to maxLength (else a longer text fails the job)");
        padding = new BooleanParam(this, "padding", "pad every row to maxLength (pad token, attention 0)");
        lowercase = new Param<>(
                this,
                "lowercase",
                "true, false, or 'auto' to follow the vocabulary directory's tokenizer.json",
                ParamValidators.inArray(new String[] {"true", "false", "auto"}));
        setDefault(inputCol, "text");
        setDefault(outputPrefix, "");
        setDefault(maxLength, 512);
        setDefault(truncation, true);
        setDefault(padding, false);
        setDefault(lowercase, "auto");
    }

    public TextTokenizer() {
        this(Identifiable.randomUID("textTokenizer"));
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

    public Param<String> outputPrefix() {
        return outputPrefix;
    }

    public IntParam maxLength() {
        return maxLength;
    }

    public BooleanParam truncation() {
        return truncation;
    }

    public BooleanParam padding() {
        return padding;
    }

    public Param<String> lowercase() {
        return lowercase;
    }

    public TextTokenizer setVocabDir(String value) {
        set(vocabDir, value);
        return this;
    }

    public TextTokenizer setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public TextTokenizer setOutputPrefix(String value) {
        set(outputPrefix, value);
        return this;
    }

    public TextTokenizer setMaxLength(int value) {
        set(maxLength, value);
        return this;
    }

    public TextTokenizer setTruncation(boolean value) {
        set(truncation, value);
        return this;
    }

    public TextTokenizer setPadding(boolean value) {
        set(padding, value);
        return this;
    }

    public TextTokenizer setLowercase(String value) {
        set(lowercase, value);
        return this;
    }

    /** The names of the three output columns. */
    public String[] outputCols() {
        String p = $(outputPrefix);
        return new String[] {p + Columns.INPUT_IDS, p + Columns.TOKEN_TYPE_IDS, p + Columns.ATTENTION_MASK};
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Columns.require(schema, $(inputCol), DataTypes.StringType, "text");
        StructType out = schema;
        for (String name : outputCols()) {
            out = Columns.withColumn(out, name, DataTypes.createArrayType(DataTypes.IntegerType, false));
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        if (!isDefined(vocabDir)) {
            throw new IllegalArgumentException(
                    "TextTokenizer needs vocabDir: the directory of vocab.txt, or of vocab.json and merges.txt");
        }
        SparkSession spark = dataset.sparkSession();
        SequenceLayout layout = new SequenceLayout(
                tokenizer(spark).value(), ((Integer) $(maxLength)), (Boolean) $(truncation), (Boolean) $(padding));
        int textIndex = dataset.schema().fieldIndex($(inputCol));
        var rows = dataset.toDF().javaRDD().mapPartitions((Iterator<Row> in) -> new Iterator<Row>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public Row next() {
                Row row = in.next();
                SequenceLayout.Encoded e = layout.encode(row.isNullAt(textIndex) ? "" : row.getString(textIndex));
                return Columns.append(row, e.inputIds(), e.tokenTypeIds(), e.attentionMask());
            }
        });
        return spark.createDataFrame(rows, out);
    }

    /** The vocabulary, read on the driver and broadcast once per directory and casing. */
    private synchronized Broadcast<Tokenizer> tokenizer(SparkSession spark) {
        String key = $(vocabDir) + "|" + $(lowercase);
        if (broadcast == null || !key.equals(broadcastKey)) {
            String lower = $(lowercase);
            Boolean lowerCase = lower.equals("auto") ? null : Boolean.valueOf(lower);
            try {
                Tokenizer t = Tokenizers.load($(vocabDir), spark.sparkContext().hadoopConfiguration(), lowerCase);
                broadcast =
                        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(t);
                broadcastKey = key;
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot read the vocabulary in " + $(vocabDir) + ": " + e.getMessage(), e);
            }
        }
        return broadcast;
    }

    @Override
    public TextTokenizer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<TextTokenizer> read() {
        return new DefaultParamsReader<>();
    }

    public static TextTokenizer load(String path) {
        return read().load(path);
    }
}
