package org.sparkbert.train.job;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.job.UsageException;

/**
 * Reads the instances stage's Parquet (instance_id long, input_ids int[], token_type_ids int[],
 * label int, absent for mlm) into memory, ordered by instance id so that the epoch order depends
 * on the seed alone, not on how Spark partitioned the files. A single-process trainer holds the
 * whole set; the distributed trainer reads it as an RDD, so the instances never pass through the
 * driver, and gives each replica its shard.
 */
public final class InstanceTable {

    /** What the trainer must know before it starts: how many instances, and the longest one's length. */
    public record Summary(long count, int longest) {
        public static Summary of(List<Instance> instances) {
            return new Summary(
                    instances.size(),
                    instances.stream().mapToInt(Instance::length).max().orElse(0));
        }
    }

    private InstanceTable() {}

    /** Every instance, in the driver's memory, ordered by id. */
    public static List<Instance> read(SparkSession spark, String path, boolean needsLabel) {
        List<Row> collected = sorted(spark, path, needsLabel).collectAsList();
        List<Instance> instances = new ArrayList<>(collected.size());
        for (Row r : collected) {
            instances.add(instance(r, needsLabel));
        }
        return instances;
    }

    /** The instances as an RDD whose partitions follow id order (zipWithIndex gives each its global index). */
    public static JavaRDD<Instance> readDistributed(SparkSession spark, String path, boolean needsLabel) {
        return sorted(spark, path, needsLabel).javaRDD().map(r -> instance(r, needsLabel));
    }

    public static Summary summary(SparkSession spark, String path, boolean needsLabel) {
        Row r = sorted(spark, path, needsLabel)
                .agg(functions.count("*"), functions.max(functions.size(functions.col("input_ids"))))
                .first();
        return new Summary(r.getLong(0), r.isNullAt(1) ? 0 : r.getInt(1));
    }

    private static Dataset<Row> sorted(SparkSession spark, String path, boolean needsLabel) {
        Dataset<Row> rows = spark.read().parquet(path);
        checkSchema(rows.schema(), path, needsLabel);
        String[] columns = needsLabel
                ? new String[] {"instance_id", "input_ids", "token_type_ids", "label"}
                : new String[] {"instance_id", "input_ids", "token_type_ids"};
        return rows.selectExpr(columns).orderBy("instance_id");
    }

    private static Instance instance(Row r, boolean needsLabel) {
        return new Instance(
                r.getLong(0), ints(r.getList(1)), ints(r.getList(2)), needsLabel ? r.getInt(3) : Instance.NO_LABEL);
    }

    static void checkSchema(StructType schema, String path, boolean needsLabel) {
        require(schema, path, "instance_id", DataTypes.LongType);
        require(schema, path, "input_ids", DataTypes.createArrayType(DataTypes.IntegerType));
        require(schema, path, "token_type_ids", DataTypes.createArrayType(DataTypes.IntegerType));
        if (needsLabel) {
            require(schema, path, "label", DataTypes.IntegerType);
        }
    }

    private static void require(StructType schema, String path, String name, DataType type) {
        StructField field = Arrays.stream(schema.fields())
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new UsageException(path + ": no column '" + name + "' (has " + schema.simpleString()
                        + "); --data must be the output of the instances stage"
                        + (name.equals("label") ? ", built with objective nsp or sop for this model" : "")));
        DataType actual = field.dataType();
        boolean matches = type instanceof ArrayType want && actual instanceof ArrayType got
                ? want.elementType().equals(got.elementType())
                : actual.equals(type);
        if (!matches) {
            throw new UsageException(
                    path + ": column '" + name + "' is " + actual.simpleString() + ", expected " + type.simpleString());
        }
    }

    private static int[] ints(List<Integer> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
