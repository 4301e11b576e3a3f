package org.sparkbert.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Transformer;
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
import org.apache.spark.storage.StorageLevel;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.instances.InstanceCutter;
import org.sparkbert.tokenize.instances.InstanceRows;
import org.sparkbert.tokenize.instances.InstanceShape;
import org.sparkbert.tokenize.instances.Objective;
import org.sparkbert.tokenize.instances.TokenizedDocument;
import org.sparkbert.tokenize.instances.TrainingInstance;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * The instances stage inside a pipeline: a DataFrame of documents (id, text) becomes one of training
 * instances (instance_id, doc_id, input_ids, token_type_ids, and label for nsp and sop), cut by the
 * same code and seed as the {@code instances} job, so both give the same instances for the same
 * documents. Unlike the other stages its output rows are instances, not the input rows widened.
 */
public final class TrainingInstances extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> vocabDir;
    private final Param<String> docIdCol;
    private final Param<String> textCol;
    private final Param<String> objective;
    private final IntParam maxSeqLength;
    private final DoubleParam shortSeqProb;
    private final IntParam dupeFactor;
    private final LongParam seed;
    private final IntParam packingGroupDocuments;

    public TrainingInstances(String uid) {
        this.uid = uid; // before the params, which read it
        vocabDir = new Param<>(this, "vocabDir", "the vocabulary directory");
        docIdCol = new Param<>(this, "docIdCol", "the document id column (string)");
        textCol = new Param<>(this, "textCol", "the document text column");
        objective = new Param<>(
                this,
                "objective",
                "nsp (BERT's next-sentence pairs), sop (ALBERT's sentence order), mlm (RoBERTa's full sentences)",
                ParamValidators.inArray(new String[] {"nsp", "sop", "mlm"}));
        maxSeqLength = new IntParam(
                this,
                "maxSeqLength",
                "tokens per instance, special tokens included",
                ParamValidators.inRange(InstanceShape.MIN_SEQ_LENGTH, InstanceShape.MAX_SEQ_LENGTH));
        shortSeqProb = new DoubleParam(
                this,
                "shortSeqProb",
                "share of documents cut to a random shorter target length",
                ParamValidators.inRange(0, 1));
        dupeFactor = new IntParam(
                this, "dupeFactor", "times each document is cut, each time differently", ParamValidators.gtEq(1));
        seed = new LongParam(this, "seed", "seed of every random choice");
        packingGroupDocuments = new IntParam(
                this, "packingGroupDocuments", "documents packed together for objective mlm", ParamValidators.gtEq(1));
        setDefault(docIdCol, "id");
        setDefault(textCol, "text");
        setDefault(objective, "nsp");
        setDefault(maxSeqLength, 128);
        setDefault(shortSeqProb, 0.1);
        setDefault(dupeFactor, 1);
        setDefault(seed, 12345L);
        setDefault(packingGroupDocuments, 1024);
    }

    public TrainingInstances() {
        this(Identifiable.randomUID("trainingInstances"));
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> vocabDir() {
        return vocabDir;
    }

    public Param<String> docIdCol() {
        return docIdCol;
    }

    public Param<String> textCol() {
        return textCol;
    }

    public Param<String> objective() {
        return objective;
    }

    public IntParam maxSeqLength() {
        return maxSeqLength;
    }

    public DoubleParam shortSeqProb() {
        return shortSeqProb;
    }

    public IntParam dupeFactor() {
        return dupeFactor;
    }

    public LongParam seed() {
        return seed;
    }

    public IntParam packingGroupDocuments() {
        return packingGroupDocuments;
    }

    public TrainingInstances setVocabDir(String value) {
        set(vocabDir, value);
        return this;
    }

    public TrainingInstances setDocIdCol(String value) {
        set(docIdCol, value);
        return this;
    }

    public TrainingInstances setTextCol(String value) {
        set(textCol, value);
        return this;
    }

    public TrainingInstances setObjective(String value) {
        set(objective, value);
        return this;
    }

    public TrainingInstances setMaxSeqLength(int value) {
        set(maxSeqLength, value);
        return this;
    }

    public TrainingInstances setShortSeqProb(double value) {
        set(shortSeqProb, value);
        return this;
    }

    public TrainingInstances setDupeFactor(int value) {
        set(dupeFactor, value);
        return this;
    }

    public TrainingInstances setSeed(long value) {
        set(seed, value);
        return this;
    }

    public TrainingInstances setPackingGroupDocuments(int value) {
        set(packingGroupDocuments, value);
        return this;
    }

    private Objective chosen() {
        return Objective.valueOf($(objective));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Columns.require(schema, $(docIdCol), DataTypes.StringType, "document id");
        Columns.require(schema, $(textCol), DataTypes.StringType, "document text");
        return new InstanceRows(chosen().hasPairLabel(), null).schema();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        if (!isDefined(vocabDir)) {
            throw new IllegalArgumentException("TrainingInstances needs vocabDir: the vocabulary directory");
        }
        SparkSession spark = dataset.sparkSession();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizers.load($(vocabDir), spark.sparkContext().hadoopConfiguration(), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the vocabulary in " + $(vocabDir) + ": " + e.getMessage(), e);
        }
        Dataset<Row> docs = dataset.select($(docIdCol), $(textCol));
        int partitions = Math.max(jsc.defaultParallelism(), docs.javaRDD().getNumPartitions());
        long s = (Long) $(seed);
        InstanceShape shape = new InstanceShape((Integer) $(maxSeqLength), (Double) $(shortSeqProb), s);
        // persisted: counting the documents and cutting them are two passes over the encoded corpus
        JavaPairRDD<Long, TokenizedDocument> indexed = InstanceCutter.index(
                        InstanceCutter.encode(docs, jsc.broadcast(tokenizer)), s, partitions)
                .persist(StorageLevel.MEMORY_AND_DISK());
        long documents = indexed.count();
        JavaRDD<TrainingInstance> instances = InstanceCutter.cut(
                chosen(),
                indexed,
                documents,
                shape,
                SpecialTokens.of(tokenizer),
                (Integer) $(dupeFactor),
                (Integer) $(packingGroupDocuments),
                partitions);
        InstanceRows rows = new InstanceRows(chosen().hasPairLabel(), null);
        JavaRDD<Row> numbered = instances
                .sortBy(TrainingInstance::key, true, partitions)
                .zipWithIndex()
                .map(t -> rows.row(t._2, t._1));
        return spark.createDataFrame(numbered, out);
    }

    @Override
    public TrainingInstances copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<TrainingInstances> read() {
        return new DefaultParamsReader<>();
    }

    public static TrainingInstances load(String path) {
        return read().load(path);
    }
}
