package org.sparkbert.ingest.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkbert.ingest.read.LocationFreeRDD;
import scala.Tuple2;

/**
 * Near-duplicates by MinHash LSH: each page's word n-gram shingles get a signature, pages sharing a
 * band become candidate pairs, each pair is kept only if the true Jaccard similarity of the two
 * shingle sets reaches the threshold, and the connected components of the kept pairs are the
 * clusters. In each cluster a page of an earlier output survives if there is one (this run's pages
 * in it are dropped), else the page with the smallest id. Pages of earlier outputs take negative
 * keys so they never collide with this run's.
 *
 * <p>The step runs on RDDs of numbers (band hashes, key pairs), two actions in all: Spark SQL queries
 * cost more to plan and compile than this work does. Only the candidate pairs' pages are shingled for
 * verification. When the verified pairs are few ({@link #MAX_LOCAL_EDGES}) the driver finds the
 * clusters with a union-find over them (pairs of numbers and ids, never pages); more are clustered by
 * {@link ConnectedComponents} on Spark, with the same survivors.
 */
public final class NearDedup implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NearDedup.class);

    private static final StructType NODES =
            new StructType().add("key", DataTypes.LongType, false).add("id", DataTypes.StringType, false);
    private static final StructType PAIRS =
            new StructType().add("a", DataTypes.LongType, false).add("b", DataTypes.LongType, false);

    private final MinHasher hasher;
    private final int ngram;
    private final double threshold;
    private final int maxBucketForAllPairs;
    private final int maxIterations;
    private final long maxBroadcastPairs;
    private final long maxLocalEdges;

    /** Up to this many candidate pairs, their pages are picked by a broadcast set of keys (8 bytes each). */
    static final long MAX_BROADCAST_PAIRS = 4_000_000;
    /** Up to this many verified pairs, the clusters are found on the driver (two keys and two ids each). */
    static final long MAX_LOCAL_EDGES = 2_000_000;

    /** What the step found, for the report. */
    public static final class Outcome {
        public final JavaRDD<Drop> drops;
        public final long candidatePairs;
        public final long verifiedPairs;

        Outcome(JavaRDD<Drop> drops, long candidatePairs, long verifiedPairs) {
            this.drops = drops;
            this.candidatePairs = candidatePairs;
            this.verifiedPairs = verifiedPairs;
        }
    }

    public NearDedup(MinHasher hasher, int ngram, double threshold, int maxBucketForAllPairs, int maxIterations) {
        this(hasher, ngram, threshold, maxBucketForAllPairs, maxIterations, MAX_BROADCAST_PAIRS, MAX_LOCAL_EDGES);
    }

    /** With other limits for the broadcast of candidate keys and the driver's clusters (tests use 0: the distributed paths). */
    NearDedup(
            MinHasher hasher,
            int ngram,
            double threshold,
            int maxBucketForAllPairs,
            int maxIterations,
            long maxBroadcastPairs,
            long maxLocalEdges) {
        this.hasher = hasher;
        this.ngram = ngram;
        this.threshold = threshold;
        this.maxBucketForAllPairs = maxBucketForAllPairs;
        this.maxIterations = maxIterations;
        this.maxBroadcastPairs = maxBroadcastPairs;
        this.maxLocalEdges = maxLocalEdges;
    }

    /**
     * @param docs     this run's pages: rows {@code key, id, text}
     * @param previous the earlier outputs' pages: {@code id, text}, or null
     */
    public Outcome drops(JavaRDD<Row> docs, Dataset<Row> previous) {
        JavaRDD<Row> nodeRows = docs;
        Dataset<Row> earlier = null;
        if (previous != null) {
            earlier = previous.select(
                    lit(-1L).minus(shiftrightunsigned(xxhash64(col("id")), 1)).as("key"), col("id"), col("text"));
            nodeRows = nodeRows.union(LocationFreeRDD.of(earlier.javaRDD()));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(docs.context());
        // Candidates, verification and clusters work on RDDs of numbers: no query to plan and compile per step.
        JavaRDD<Tuple2<Long, Long>> pairs = candidatePairs(nodeRows).persist(StorageLevel.MEMORY_AND_DISK());
        long candidates = pairs.count();
        if (candidates == 0) {
            pairs.unpersist();
            LOG.info("near-duplicates: 0 candidate pairs");
            return new Outcome(jsc.emptyRDD(), 0, 0);
        }
        JavaPairRDD<Long, Tuple2<String, long[]>> shingled =
                endpointShingles(jsc, nodeRows, pairs, candidates).persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Edge> edges = verified(pairs, shingled).persist(StorageLevel.MEMORY_AND_DISK());
        long verifiedCount = edges.count();
        pairs.unpersist();
        shingled.unpersist();
        LOG.info(
                "near-duplicates: {} candidate pairs, {} verified at Jaccard >= {}",
                candidates,
                verifiedCount,
                threshold);
        if (verifiedCount == 0) {
            edges.unpersist();
            return new Outcome(jsc.emptyRDD(), candidates, 0);
        }
        JavaRDD<Drop> drops;
        if (verifiedCount <= maxLocalEdges) {
            // The verified edges are few (each two numbers and two ids, not pages): clusters and
            // survivors on the driver, with a union-find.
            drops = jsc.parallelize(localDrops(edges.collect()), 1);
        } else {
            SparkSession spark = SparkSession.active();
            Dataset<Row> nodes =
                    spark.createDataFrame(docs.map(r -> RowFactory.create(r.getLong(0), r.getString(1))), NODES);
            if (earlier != null) {
                nodes = nodes.unionByName(earlier.select("key", "id"));
            }
            drops = distributedDrops(spark, nodes, edges)
                    .javaRDD()
                    .map(r -> new Drop(r.getLong(0), r.getString(1), r.getString(2)));
        }
        edges.unpersist();
        return new Outcome(drops, candidates, verifiedCount);
    }

    /** A verified pair: both keys and both ids. */
    static final class Edge implements Serializable {
        private static final long serialVersionUID = 1L;
        final long a;
        final String idA;
        final long b;
        final String idB;

        Edge(long a, String idA, long b, String idB) {
            this.a = a;
            this.idA = idA;
            this.b = b;
            this.idB = idB;
        }
    }

    /**
     * The same clusters and survivors as {@link #distributedDrops}: connected components by union-find;
     * in each, an earlier output's page first (negative key), then the smallest id, then the smallest key.
     */
    static List<Drop> localDrops(List<Edge> edges) {
        Map<Long, Long> parent = new HashMap<>();
        Map<Long, String> ids = new HashMap<>();
        for (Edge e : edges) {
            ids.put(e.a, e.idA);
            ids.put(e.b, e.idB);
            long ra = root(parent, e.a);
            long rb = root(parent, e.b);
            if (ra != rb) {
                parent.put(Math.max(ra, rb), Math.min(ra, rb));
            }
        }
        Map<Long, Long> survivor = new HashMap<>();
        for (long node : ids.keySet()) {
            survivor.merge(root(parent, node), node, (x, y) -> before(x, y, ids) ? x : y);
        }
        List<Drop> out = new ArrayList<>();
        List<Long> nodes = new ArrayList<>(ids.keySet());
        java.util.Collections.sort(nodes);
        for (long node : nodes) {
            long s = survivor.get(root(parent, node));
            if (node != s && node >= 0) {
                out.add(new Drop(node, s < 0 ? DuplicateReason.NEAR_PREVIOUS : DuplicateReason.NEAR, ids.get(s)));
            }
        }
        return out;
    }

    private static boolean before(long x, long y, Map<Long, String> ids) {
        boolean oldX = x < 0;
        boolean oldY = y < 0;
        if (oldX != oldY) {
            return oldX;
        }
        int byId = ids.get(x).compareTo(ids.get(y));
        return byId != 0 ? byId < 0 : x < y;
    }

    private static long root(Map<Long, Long> parent, long node) {
        long r = node;
        Long p;
        while ((p = parent.get(r)) != null) {
            r = p;
        }
        // Path compression.
        long n = node;
        while ((p = parent.get(n)) != null && p != r) {
            parent.put(n, r);
            n = p;
        }
        return r;
    }

    /** Clusters as Spark's connected components and a window per cluster, for edge sets too large for the driver. */
    private Dataset<Row> distributedDrops(SparkSession spark, Dataset<Row> nodes, JavaRDD<Edge> edges) {
        Dataset<Row> edgeRows = spark.createDataFrame(edges.map(e -> RowFactory.create(e.a, e.b)), PAIRS);
        Dataset<Row> components = ConnectedComponents.of(edgeRows, maxIterations);
        Dataset<Row> members = components
                .join(nodes.select("key", "id"), col("node").equalTo(col("key")))
                .select(col("key"), col("id"), col("component"));
        // Earlier outputs' pages first (negative keys), then the smallest id.
        WindowSpec survivorFirst = Window.partitionBy("component")
                .orderBy(when(col("key").lt(0), 0).otherwise(1), col("id"), col("key"));
        return members.withColumn("rank", row_number().over(survivorFirst))
                .withColumn("survivor_id", first("id").over(survivorFirst))
                .withColumn("survivor_key", first("key").over(survivorFirst))
                .where(col("rank").gt(1).and(col("key").geq(0)))
                .select(
                        col("key"),
                        when(col("survivor_key").lt(0), lit(DuplicateReason.NEAR_PREVIOUS))
                                .otherwise(lit(DuplicateReason.NEAR))
                                .as("reason"),
                        col("survivor_id"));
    }

    /**
     * Pairs of pages that share a band: (band, band hash, key) records packed into arrays
     * ({@link PackedBatches}) go to the partition of their band hash, where each bucket's keys are paired.
     */
    private JavaRDD<Tuple2<Long, Long>> candidatePairs(JavaRDD<Row> nodes) {
        MinHasher h = hasher;
        int n = ngram;
        int cap = maxBucketForAllPairs;
        int partitions = nodes.context().defaultParallelism();
        return nodes.mapPartitionsToPair(rows -> new PackedBatches<Row>(rows, partitions, 3, (r, out) -> {
                    long key = r.getLong(0);
                    long[] bands = h.bandHashes(h.signature(Shingles.of(r.getString(2), n)));
                    for (int b = 0; b < bands.length; b++) {
                        out.add(out.partitionOf(bands[b] ^ b), b, bands[b], key);
                    }
                }))
                .partitionBy(new HashPartitioner(partitions))
                .mapPartitions(batches -> {
                    Map<Tuple2<Long, Long>, List<Long>> buckets = new HashMap<>();
                    batches.forEachRemaining(batch -> {
                        long[] r = batch._2();
                        for (int i = 0; i < r.length; i += 3) {
                            buckets.computeIfAbsent(new Tuple2<>(r[i], r[i + 1]), k -> new ArrayList<>())
                                    .add(r[i + 2]);
                        }
                    });
                    List<Tuple2<Long, Long>> out = new ArrayList<>();
                    for (List<Long> keys : buckets.values()) {
                        if (keys.size() > 1) {
                            bucketPairs(keys, cap).forEachRemaining(out::add);
                        }
                    }
                    return out.iterator();
                })
                .distinct();
    }

    /** Every pair of a small bucket; a large one as a star around its smallest key. Pairs of two old pages are useless. */
    private static Iterator<Tuple2<Long, Long>> bucketPairs(List<Long> members, int cap) {
        long[] keys =
                members.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        List<Tuple2<Long, Long>> out = new ArrayList<>();
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

    private static void addPair(List<Tuple2<Long, Long>> out, long a, long b) {
        if (a >= 0 || b >= 0) {
            out.add(new Tuple2<>(a, b));
        }
    }

    /**
     * The id and shingle set of every page in a candidate pair, picked by a broadcast set of keys when
     * the pairs are few, else by a join.
     */
    private JavaPairRDD<Long, Tuple2<String, long[]>> endpointShingles(
            JavaSparkContext jsc, JavaRDD<Row> nodes, JavaRDD<Tuple2<Long, Long>> pairs, long candidates) {
        int n = ngram;
        JavaPairRDD<Long, Tuple2<String, long[]>> shingled;
        if (candidates <= maxBroadcastPairs) {
            Set<Long> endpoints = new HashSet<>();
            for (Tuple2<Long, Long> p : pairs.collect()) {
                endpoints.add(p._1());
                endpoints.add(p._2());
            }
            Broadcast<Set<Long>> wanted = jsc.broadcast(endpoints);
            shingled = nodes.filter(r -> wanted.value().contains(r.getLong(0)))
                    .mapToPair(r ->
                            new Tuple2<>(r.getLong(0), new Tuple2<>(r.getString(1), Shingles.of(r.getString(2), n))));
        } else {
            JavaPairRDD<Long, Boolean> endpoints = pairs.flatMapToPair(
                            p -> List.of(new Tuple2<>(p._1(), true), new Tuple2<>(p._2(), true))
                                    .iterator())
                    .reduceByKey((x, y) -> x);
            shingled = nodes.mapToPair(r -> new Tuple2<>(r.getLong(0), r))
                    .join(endpoints)
                    .mapToPair(kv -> new Tuple2<>(
                            kv._1(),
                            new Tuple2<>(
                                    kv._2()._1().getString(1),
                                    Shingles.of(kv._2()._1().getString(2), n))));
        }
        return shingled;
    }

    /** The candidate pairs whose shingle sets reach the threshold. */
    private JavaRDD<Edge> verified(
            JavaRDD<Tuple2<Long, Long>> pairs, JavaPairRDD<Long, Tuple2<String, long[]>> shingled) {
        double t = threshold;
        return pairs.mapToPair(p -> p)
                .join(shingled)
                .mapToPair(kv ->
                        new Tuple2<>(kv._2()._1(), new Tuple2<>(kv._1(), kv._2()._2())))
                .join(shingled)
                .flatMap(kv -> {
                    Tuple2<String, long[]> a = kv._2()._1()._2();
                    Tuple2<String, long[]> b = kv._2()._2();
                    double j = Shingles.jaccard(a._2(), b._2());
                    return (j >= t ? List.of(new Edge(kv._2()._1()._1(), a._1(), kv._1(), b._1())) : List.<Edge>of())
                            .iterator();
                });
    }
}
