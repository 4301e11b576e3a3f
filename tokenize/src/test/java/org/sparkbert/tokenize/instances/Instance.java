package org.sparkbert.tokenize.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.tokenize.masking.SpecialTokens;

/** One row of the instances Parquet, read back for checking. */
record Instance(long id, String docId, int[] inputIds, int[] tokenTypeIds, int label) {

    /** The rows of an instances output, by instance id. */
    static List<Instance> read(SparkSession spark, Path dir) {
        return spark.read().parquet(dir.toString()).collectAsList().stream()
                .map(r -> new Instance(
                        r.getLong(r.fieldIndex("instance_id")),
                        r.getString(r.fieldIndex("doc_id")),
                        ints(r.getList(r.fieldIndex("input_ids"))),
                        ints(r.getList(r.fieldIndex("token_type_ids"))),
                        r.getInt(r.fieldIndex("label"))))
                .sorted(Comparator.comparingLong(Instance::id))
                .toList();
    }

    static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    void assertPairLayout(SpecialTokens specials, int maxSeqLength) {
        assertTrue(inputIds.length <= maxSeqLength, "instance " + id + " has " + inputIds.length + " tokens");
        assertEquals(inputIds.length, tokenTypeIds.length);
        assertEquals(specials.cls(), inputIds[0]);
        assertEquals(specials.sep(), inputIds[inputIds.length - 1]);
        int firstSep = firstSep(specials);
        assertTrue(firstSep >= 2 && firstSep <= inputIds.length - 3, "A and B are not empty");
        for (int i = 0; i < inputIds.length; i++) {
            assertEquals(i <= firstSep ? 0 : 1, tokenTypeIds[i], "segment id at " + i + " of instance " + id);
            if (i != 0) assertTrue(inputIds[i] != specials.cls());
            if (i != firstSep && i != inputIds.length - 1) assertTrue(inputIds[i] != specials.sep());
        }
        assertTrue(label == 0 || label == 1);
    }

    int[] segmentA(SpecialTokens specials) {
        return Arrays.copyOfRange(inputIds, 1, firstSep(specials));
    }

    int[] segmentB(SpecialTokens specials) {
        return Arrays.copyOfRange(inputIds, firstSep(specials) + 1, inputIds.length - 1);
    }

    private int firstSep(SpecialTokens specials) {
        int i = 1;
        while (inputIds[i] != specials.sep()) i++;
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instance other
                && id == other.id
                && docId.equals(other.docId)
                && label == other.label
                && Arrays.equals(inputIds, other.inputIds)
                && Arrays.equals(tokenTypeIds, other.tokenTypeIds);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(inputIds);
    }

    @Override
    public String toString() {
        return "Instance " + id + " of " + docId + " label " + label + " " + Arrays.toString(inputIds);
    }
}
