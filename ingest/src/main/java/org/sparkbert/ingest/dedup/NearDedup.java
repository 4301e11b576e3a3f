package org.sparkbert.ingest.dedup;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.ingest.PageTable;
import org.sparkbert.ingest.SparkArrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Near-duplicates by MinHash LSH: each page's word n-gram shingles get a signature, pages sharing a
 * band become candidate pairs, each pair is kept only if the true Jaccard similarity of the two
 * shingle sets reaches the threshold, and the connected components of the kept pairs are the
 * clusters. In each cluster a page of an earlier output survives if there is one (this run's pages
 * in it are dropped), else the page with the smallest id. Pages of earlier outputs take negative
 * keys so they never collide with this run's.
 */
public final class NearDedup implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NearDedup.class);

    private static final StructType BANDED = new StructType()
            .add("key", DataTypes.LongType, false)
            .add("bands", DataTypes.createArrayType(DataTypes.LongType, false), false);
    private static final StructType PAIRS = new StructType()
            .add("a", DataTypes.LongType, false)
            .add("b", DataTypes.LongType, false);
    private static final StructType SHINGLED = new StructType()
            .add("key", DataTypes.LongType, false)
            .add("shingles", DataTypes.createArrayType(DataTypes.LongType, false), false);

    private final MinHasher hasher;
    private final int ngram;
    private final double threshold;
    private final int maxBucketForAllPairs;
    private final int maxIterations;

    /** What the step found, for the report. */
    public static final class Outcome {
        public final Dataset<Row> drops;
        public final long candidatePairs;
        public final long verifiedPairs;

        Outcome(Dataset<Row> drops, long candidatePairs, long verifiedPairs) {
            this.drops = drops;
            this.candidatePairs = candidatePairs;
            this.verifiedPairs = verifiedPairs;
        }
    }

    public NearDedup(MinHasher hasher, int ngram, double threshold, int maxBucketForAllPairs, int maxIterations) {
        this.hasher = hasher;
        this.ngram = ngram;
        this.threshold = threshold;
        this.maxBucketForAllPairs = maxBucketForAllPairs;
        this.maxIterations = maxIterations;
    }

    /**
     * @param docs     this run's pages: {@code key, id, text}
     * @param previous the earlier outputs' pages: {@code id, text}, or null
     */
    public Outcome drops(Dataset<Row> docs, Dataset<Row> previous) {
        Dataset<Row> nodes = docs.select(col("key"), col("id"), col("text"));
        if (previous != null) {
            nodes = nodes.unionByName(previous.select(
                    lit(-1L).minus(shiftrightunsigned(xxhash64(col("id")), 1)).as("key"), col("id"), col("text")));
        }
        Dataset<Row> pairs = candidatePairs(nodes).localCheckpoint();
        long candidates = pairs.count();
        Dataset<Row> edges = verified(nodes, pairs).localCheckpoint();
        long verifiedCount = edges.count();
        LOG.info("near-duplicates: {} candidate pairs, {} verified at Jaccard >= {}", candidates, verifiedCount, threshold);
        if (verifiedCount == 0) {
            return new Outcome(edges.sparkSession().createDataFrame(List.of(), PageTable.DROPS), candidates, 0);
        }
        Dataset<Row> components = ConnectedComponents.of(edges, maxIterations);
        Dataset<Row> members = components.join(nodes.select("key", "id"), col("node").equalTo(col("key")))
                .select(col("key"), col("id"), col("component"));
        // Earlier outputs' pages first (negative keys), then the smallest id.
        WindowSpec survivorFirst = Window.partitionBy("component")
                .orderBy(when(col("key").lt(0), 0).otherwise(1), col("id"), col("key"));
        Dataset<Row> drops = members
                .withColumn("rank", row_number().over(survivorFirst))
                .withColumn("survivor_id", first("id").over(survivorFirst))
                .withColumn("survivor_key", first("key").over(survivorFirst))
                .where(col("rank").gt(1).and(col("key").geq(0)))
                .select(col("key"),
                        when(col("survivor_key").lt(0), lit(DuplicateReason.NEAR_PREVIOUS))
                                .otherwise(lit(DuplicateReason.NEAR)).as("reason"),
                        col("survivor_id"));
        return new Outcome(drops, candidates, verifiedCount);
    }

    private Dataset<Row> candidatePairs(Dataset<Row> nodes) {
        MinHasher h = hasher;
        int n = ngram;
        Dataset<Row> banded = nodes.map((MapFunction<Row, Row>) r -> {
            long[] bands = h.bandHashes(h.signature(Shingles.of(r.getString(2), n)));
            return RowFactory.create(r.getLong(0), SparkArrays.of(bands));
        }, Encoders.row(BANDED));
        int cap = maxBucketForAllPairs;
        return banded.select(col("key"), posexplode(col("bands")).as(new String[] {"band", "hash"}))
                .groupBy("band", "hash").agg(collect_list("key").as("members"))
                .where(size(col("members")).gt(1))
                .select("members")
                .flatMap((FlatMapFunction<Row, Row>) r -> bucketPairs(r.getList(0), cap), Encoders.row(PAIRS))
                .distinct();
    }

    /** Every pair of a small bucket; a large one as a star around its smallest key. Pairs of two old pages are useless. */
    private static Iterator<Row> bucketPairs(List<Long> members, int cap) {
        long[] keys = members.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        List<Row> out = new ArrayList<>();
        if (keys.length <= cap) {
            for (int i = 0; i < keys.length; i++) {
                for (int j = i + 1; j < keys.length; j++) {
                    addPair(out, keys[i], keys[j]);
                }
            }
        } else {
            for (int j = 1; j < keys.length; j++) {
                addPair(out, keys[0], keys[j]);
            }
        }
        return out.iterator();
    }

    private static void addPair(List<Row> out, long a, long b) {
        if (a >= 0 || b >= 0) {
            out.add(RowFactory.create(a, b));
        }
    }

    private Dataset<Row> verified(Dataset<Row> nodes, Dataset<Row> pairs) {
        Dataset<Row> endpoints = pairs.select(col("a").as("key")).union(pairs.select(col("b").as("key"))).distinct();
        int n = ngram;
        Dataset<Row> shingled = nodes.join(endpoints, "key")
                .map((MapFunction<Row, Row>) r -> RowFactory.create(r.getLong(0), SparkArrays.of(Shingles.of(r.getString(2), n))),
                        Encoders.row(SHINGLED));
        Dataset<Row> sa = shingled.withColumnRenamed("key", "ka").withColumnRenamed("shingles", "sa");
        Dataset<Row> sb = shingled.withColumnRenamed("key", "kb").withColumnRenamed("shingles", "sb");
        double t = threshold;
        return pairs.join(sa, col("a").equalTo(col("ka")))
                .join(sb, col("b").equalTo(col("kb")))
                .select("a", "b", "sa", "sb")
                .flatMap((FlatMapFunction<Row, Row>) r -> {
                    double j = Shingles.jaccard(unbox(r.getList(2)), unbox(r.getList(3)));
                    return (j >= t ? List.of(RowFactory.create(r.getLong(0), r.getLong(1))) : List.<Row>of()).iterator();
                }, Encoders.row(PAIRS));
    }

    private static long[] unbox(List<Object> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Long) values.get(i);
        }
        return out;
    }
}
