package org.sparkbert.train.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.masking.DynamicMasker;
import org.sparkbert.tokenize.masking.SpecialTokens;

class BatchAssemblerTest {

    @Test
    void padsMasksAndFlattensEachRow() throws Exception {
        Tokenizer tokenizer = Tokenizers.load(
                Path.of(System.getProperty("sparkbert.shared.data"), "bert").toString(), new Configuration(), null);
        SpecialTokens s = SpecialTokens.of(tokenizer);
        int[] a = tokenizer.encode("the quick brown fox jumps over the lazy dog");
        int[] b = tokenizer.encode("a stitch in time saves nine");
        Instance first = instance(11, s, a, b, 1);
        Instance second = instance(12, s, b, new int[] {tokenizer.id("yes")}, 0);
        DynamicMasker masker = new DynamicMasker(tokenizer, 0.3, 5, false, 99);
        BatchAssembler assembler = new BatchAssembler(masker, s.pad(), 24);

        Batch batch = assembler.assemble(List.of(first, second), 3);
        assertEquals(2, batch.batchSize());
        assertEquals(24, batch.seqLength());
        assertArrayEquals(new int[] {1, 0}, batch.sentenceLabels());
        assertEquals(first.length() + second.length(), batch.realTokens());
        for (int r = 0; r < 2; r++) {
            Instance row = r == 0 ? first : second;
            for (int t = 0; t < 24; t++) {
                int i = r * 24 + t;
                assertEquals(t < row.length() ? 1 : 0, batch.attentionMask()[i]);
                assertEquals(t < row.length() ? row.tokenTypeIds()[t] : 0, batch.tokenTypeIds()[i]);
                if (t >= row.length()) {
                    assertEquals(s.pad(), batch.inputIds()[i]);
                }
            }
        }
        assertTrue(batch.predictions() >= 2, "both rows have masked positions");
        for (int k = 0; k < batch.predictions(); k++) {
            int p = batch.maskedPositions()[k];
            Instance row = p < 24 ? first : second;
            assertEquals(row.inputIds()[p % 24], batch.maskedLabels()[k], "the label is the original token");
        }
        // The masks are the library's for (seed, epoch, instance id): the same again, another for another epoch.
        assertArrayEquals(
                batch.inputIds(), assembler.assemble(List.of(first, second), 3).inputIds());
        assertArrayEquals(
                masker.mask(first.inputIds(), 11, 3).maskedPositions(),
                java.util.Arrays.stream(batch.maskedPositions())
                        .filter(p -> p < 24)
                        .toArray());
        assertFalse(java.util.Arrays.equals(
                batch.maskedPositions(),
                assembler.assemble(List.of(first, second), 4).maskedPositions()));

        BatchAssembler tooShort = new BatchAssembler(masker, s.pad(), 8);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> tooShort.assemble(List.of(first), 0))
                .getMessage()
                .contains("instance 11"));
    }

    private static Instance instance(long id, SpecialTokens s, int[] a, int[] b, int label) {
        int n = a.length + b.length + 3;
        int[] ids = new int[n];
        int[] types = new int[n];
        ids[0] = s.cls();
        System.arraycopy(a, 0, ids, 1, a.length);
        ids[a.length + 1] = s.sep();
        System.arraycopy(b, 0, ids, a.length + 2, b.length);
        ids[n - 1] = s.sep();
        for (int i = a.length + 2; i < n; i++) {
            types[i] = 1;
        }
        return new Instance(id, ids, types, label);
    }
}
