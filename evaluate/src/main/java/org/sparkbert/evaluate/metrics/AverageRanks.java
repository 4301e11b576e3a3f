package org.sparkbert.evaluate.metrics;

import java.util.Arrays;
import java.util.Comparator;

/** Ranks from 1, tied values sharing the mean of the ranks they span (SciPy's {@code rankdata(method='average')}). */
public final class AverageRanks {
    private AverageRanks() {}

    public static double[] of(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            while (end < order.length && values[order[end]] == values[order[start]]) {
                end++;
            }
            double sharedRank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) {
                ranks[order[k]] = sharedRank;
            }
            start = end;
        }
        return ranks;
    }
}
