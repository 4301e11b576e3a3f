package org.sparkbert.tokenize.heldout;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.instances.InstanceRows;
import org.sparkbert.tokenize.instances.InstancesJob;

/**
 * An instances output with its validation split: the training instances at its root and the
 * validation instances, masks frozen, in {@code validation/}. Scores the count baselines on the
 * validation positions with counts from the training instances (their original ids: a frozen mask
 * of static training instances is undone first).
 */
public final class HeldOutSplit {
    /** One validation row: corrupted ids, segment ids, masked positions and their true ids. */
    public record ValidationRow(int[] inputIds, int[] tokenTypeIds, int[] positions, int[] labels)
            implements Serializable {}

    private final String root;
    private final String validation;

    private HeldOutSplit(String root, String validation) {
        this.root = root;
        this.validation = validation;
    }

    /** The split of an instances output, or null when the path is not one (or has no validation/ folder). */
    public static HeldOutSplit find(String input, Configuration conf) {
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(conf);
            Path folder = new Path(path, InstancesJob.VALIDATION_FOLDER);
            JsonNode report = fs.isDirectory(path) ? StageOutput.readReport(fs, path) : null;
            if (report == null || !"instances".equals(report.path("stage").asText())) {
                return null;
            }
            if (!fs.isDirectory(folder)) {
                throw new UsageException(
                        input + " is an instances output without a validation/ split: its ingest output held"
                                + " none (setting ingest.split.validation_fraction), or it held too few documents. Give held-out text instead.");
            }
            return new HeldOutSplit(path.toString(), folder.toString());
        } catch (IOException e) {
            throw new UsageException("Cannot reach --input " + input + ": " + e.getMessage());
        }
    }

    public String validationPath() {
        return validation;
    }

    public JavaRDD<ValidationRow> validationRows(SparkSession spark) {
        Dataset<Row> rows = spark.read().parquet(validation);
        for (String column : List.of(
                InstanceRows.INPUT_IDS,
                InstanceRows.TOKEN_TYPE_IDS,
                InstanceRows.MASKED_POSITIONS,
                InstanceRows.MASKED_IDS)) {
            if (!List.of(rows.columns()).contains(column)) {
                throw new UsageException(
                        validation + " has no '" + column + "' column: expected the validation instances"
                                + " the instances stage writes (masks frozen).");
            }
        }
        return rows.orderBy(InstanceRows.INSTANCE_ID)
                .select(
                        InstanceRows.INPUT_IDS,
                        InstanceRows.TOKEN_TYPE_IDS,
                        InstanceRows.MASKED_POSITIONS,
                        InstanceRows.MASKED_IDS)
                .javaRDD()
                .map(r -> new ValidationRow(
                        ints(r.getList(0)), ints(r.getList(1)), ints(r.getList(2)), ints(r.getList(3))));
    }

    /** Both baselines' cross-entropy (nats) over every validation masked position. */
    public CountBaselines.Sums baselines(SparkSession spark, int vocabularySize, int[] specialIds) {
        return baselines(
                spark, vocabularySize, specialIds, validationRows(spark).collect());
    }

    /** As above, on validation rows the caller has read already (they decide which contexts to count). */
    public CountBaselines.Sums baselines(
            SparkSession spark, int vocabularySize, int[] specialIds, List<ValidationRow> held) {
        Set<Long> both = new HashSet<>();
        Set<Integer> left = new HashSet<>();
        Set<Integer> right = new HashSet<>();
        for (ValidationRow r : held) {
            for (int p : r.positions()) {
                int l = p > 0 ? r.inputIds()[p - 1] : -1;
                int rr = p < r.inputIds().length - 1 ? r.inputIds()[p + 1] : -1;
                both.add(NeighbourCounts.pair(l, rr));
                left.add(l);
                right.add(rr);
            }
        }
        Dataset<Row> training = spark.read().parquet(root);
        boolean frozen = List.of(training.columns()).contains(InstanceRows.MASKED_POSITIONS);
        Dataset<Row> ids = frozen
                ? training.select(InstanceRows.INPUT_IDS, InstanceRows.MASKED_POSITIONS, InstanceRows.MASKED_IDS)
                : training.select(InstanceRows.INPUT_IDS);
        List<NeighbourCounts> parts = ids.javaRDD()
                .mapPartitions((Iterator<Row> rows) -> {
                    NeighbourCounts counts = new NeighbourCounts(vocabularySize, specialIds, both, left, right);
                    while (rows.hasNext()) {
                        Row r = rows.next();
                        int[] original = ints(r.getList(0));
                        if (frozen) {
                            int[] positions = ints(r.getList(1));
                            int[] labels = ints(r.getList(2));
                            for (int k = 0; k < positions.length; k++) {
                                original[positions[k]] = labels[k];
                            }
                        }
                        counts.add(original);
                    }
                    return List.of(counts).iterator();
                })
                .collect();
        NeighbourCounts all = new NeighbourCounts(vocabularySize, specialIds, both, left, right);
        parts.forEach(all::merge);
        CountBaselines model = new CountBaselines(all);
        CountBaselines.Sums sums = new CountBaselines.Sums();
        for (ValidationRow r : held) {
            for (int k = 0; k < r.positions().length; k++) {
                model.score(r.inputIds(), r.positions()[k], r.labels()[k], sums);
            }
        }
        return sums;
    }

    private static int[] ints(List<Integer> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
