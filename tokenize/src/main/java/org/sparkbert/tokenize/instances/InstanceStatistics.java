package org.sparkbert.tokenize.instances;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkbert.job.StageReport;

/**
 * The report's figures, computed from the Parquet as written (so they describe what the trainer will
 * read): instance and token counts, the label balance, the length histogram, masked tokens.
 */
final class InstanceStatistics {
    private static final int HISTOGRAM_BUCKETS = 16;

    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final Map<String, Object> fields = new LinkedHashMap<>();

    static InstanceStatistics of(Dataset<Row> instances, Objective objective, int maxSeqLength, boolean staticMasks) {
        InstanceStatistics s = new InstanceStatistics();
        Column length = size(col(InstanceRows.INPUT_IDS));
        List<Column> sums = new ArrayList<>(List.of(sum(length), max(length)));
        if (objective.hasPairLabel()) {
            sums.add(sum(col(InstanceRows.LABEL)));
        }
        if (staticMasks) {
            sums.add(sum(size(col(InstanceRows.MASKED_POSITIONS))));
        }
        Row totals = instances.agg(count(lit(1)), sums.toArray(new Column[0])).first();
        long n = totals.getLong(0);
        s.counters.put("instances", n);
        s.counters.put("instance_tokens", n == 0 ? 0 : totals.getLong(1));
        s.fields.put("longest_instance", n == 0 ? 0 : totals.getInt(2));
        int next = 3;
        if (objective.hasPairLabel()) {
            long ones = n == 0 ? 0 : totals.getLong(next++);
            s.counters.put("label_0", n - ones);
            s.counters.put("label_1", ones);
            s.fields.put(
                    "label_balance",
                    Map.of(
                            "label_1_share", n == 0 ? 0.0 : (double) ones / n,
                            "label_1_means",
                                    objective == Objective.nsp
                                            ? "B is a random sentence of another document"
                                            : "A and B are swapped"));
        }
        if (staticMasks) {
            s.counters.put("masked_tokens", n == 0 ? 0 : totals.getLong(next));
        }
        s.fields.put("length_histogram", histogram(instances, length, maxSeqLength));
        return s;
    }

    /** Counts per length range, {@value #HISTOGRAM_BUCKETS} equal ranges up to the maximum length, e.g. "121-128". */
    private static Map<String, Long> histogram(Dataset<Row> instances, Column length, int maxSeqLength) {
        int width = Math.max(1, (maxSeqLength + HISTOGRAM_BUCKETS - 1) / HISTOGRAM_BUCKETS);
        long[] counts = new long[(maxSeqLength + width - 1) / width];
        for (Row r : instances
                .groupBy(floor(length.minus(1).divide(width)).as("bucket"))
                .count()
                .collectAsList()) {
            counts[(int) r.getLong(0)] = r.getLong(1);
        }
        Map<String, Long> histogram = new LinkedHashMap<>();
        for (int b = 0; b < counts.length; b++) {
            histogram.put((b * width + 1) + "-" + Math.min(maxSeqLength, (b + 1) * width), counts[b]);
        }
        return histogram;
    }

    void addTo(StageReport report) {
        counters.forEach(report::count);
        fields.forEach(report::put);
    }
}
