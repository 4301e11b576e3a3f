package org.sparkbert.tokenize.masking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.WordPieceTokenizer;
import org.sparkbert.tokenize.instances.FullSentencePacker;
import org.sparkbert.tokenize.instances.InstanceShape;
import org.sparkbert.tokenize.instances.SharedCorpus;
import org.sparkbert.tokenize.instances.TrainingInstance;

/** Dynamic masking on real instances: C4 text, bert-base-uncased's vocabulary, 128-token instances. */
class DynamicMaskerTest {
    private static Tokenizer bert;
    private static SpecialTokens specials;
    private static List<int[]> instances;
    private static long nonSpecialTokens;

    @BeforeAll
    static void packC4() {
        bert = SharedCorpus.bertTokenizer();
        specials = SpecialTokens.of(bert);
        FullSentencePacker packer = new FullSentencePacker(new InstanceShape(128, 0.1, 7), specials);
        instances = new ArrayList<>();
        for (TrainingInstance instance :
                packer.pack(0, SharedCorpus.encoded(bert, SharedCorpus.C4_REALNEWSLIKE, 130_000), 0)) {
            instances.add(instance.inputIds());
            for (int id : instance.inputIds()) {
                nonSpecialTokens += specials.isSpecial(id) ? 0 : 1;
            }
        }
        assertTrue(nonSpecialTokens >= 100_000, "only " + nonSpecialTokens + " tokens");
    }

    @Test
    void masksFifteenPercentSplitEightyTenTen() {
        DynamicMasker masker = new DynamicMasker(bert, 0.15, 20, false, 12345);
        long masked = 0, maskToken = 0, kept = 0, random = 0;
        for (int i = 0; i < instances.size(); i++) {
            int[] ids = instances.get(i);
            MaskedInstance m = masker.mask(ids, i, 0);
            masked += m.maskedPositions().length;
            for (int k = 0; k < m.maskedPositions().length; k++) {
                int p = m.maskedPositions()[k];
                assertEquals(ids[p], m.maskedLabels()[k], "the label is the original id");
                int now = m.inputIds()[p];
                if (now == specials.mask()) maskToken++;
                else if (now == ids[p]) kept++;
                else random++;
            }
            assertOnlyChosenPositionsChanged(ids, m);
        }
        double fraction = (double) masked / nonSpecialTokens;
        System.out.printf(
                "DynamicMaskerTest: %d tokens, %d masked (%.4f): [MASK] %.4f, kept %.4f, random %.4f%n",
                nonSpecialTokens,
                masked,
                fraction,
                (double) maskToken / masked,
                (double) kept / masked,
                (double) random / masked);
        assertEquals(0.15, fraction, 0.005, "masked fraction over " + nonSpecialTokens + " tokens");
        assertEquals(0.80, (double) maskToken / masked, 0.01, "[MASK] share");
        assertEquals(0.10, (double) kept / masked, 0.01, "kept share");
        assertEquals(0.10, (double) random / masked, 0.01, "random share");
    }

    @Test
    void neverChoosesOrInsertsSpecialTokens() {
        DynamicMasker masker = new DynamicMasker(bert, 0.15, 20, false, 99);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = 0; i < instances.size(); i++) {
                int[] ids = instances.get(i);
                MaskedInstance m = masker.mask(ids, i, epoch);
                for (int p : m.maskedPositions()) {
                    assertFalse(specials.isSpecial(ids[p]), "special token " + bert.token(ids[p]) + " chosen");
                    int now = m.inputIds()[p];
                    assertTrue(now == specials.mask() || !specials.isSpecial(now), "inserted " + bert.token(now));
                }
                assertEquals(ids[0], m.inputIds()[0]);
                assertEquals(ids[ids.length - 1], m.inputIds()[ids.length - 1]);
            }
        }
    }

    @Test
    void countIsRoundedShareCappedByMaxPredictions() {
        DynamicMasker masker = new DynamicMasker(bert, 0.15, 20, false, 1);
        assertEquals(2, masker.mask(sequence(10), 0, 0).maskedPositions().length, "round(1.5) = 2");
        assertEquals(1, masker.mask(sequence(2), 0, 0).maskedPositions().length, "at least one");
        assertEquals(20, masker.mask(sequence(300), 0, 0).maskedPositions().length, "capped at 20");
        assertEquals(
                0, masker.mask(new int[] {specials.cls(), specials.sep()}, 0, 0).maskedPositions().length);
    }

    @Test
    void differsBetweenEpochsAndReplaysExactlyOnAnotherExecutor() throws Exception {
        DynamicMasker masker = new DynamicMasker(bert, 0.15, 20, false, 12345);
        DynamicMasker elsewhere = roundTrip(new DynamicMasker(bert, 0.15, 20, false, 12345));
        int differ = 0;
        for (int i = 0; i < instances.size(); i++) {
            int[] ids = instances.get(i);
            MaskedInstance e0 = masker.mask(ids, i, 0);
            MaskedInstance e1 = masker.mask(ids, i, 1);
            if (!Arrays.equals(e0.maskedPositions(), e1.maskedPositions())) differ++;
            MaskedInstance replay = elsewhere.mask(ids, i, 1);
            assertArrayEquals(e1.inputIds(), replay.inputIds());
            assertArrayEquals(e1.maskedPositions(), replay.maskedPositions());
            assertArrayEquals(e1.maskedLabels(), replay.maskedLabels());
        }
        assertEquals(instances.size(), differ, "every instance gets other positions in another epoch");
        assertNotEquals(
                Arrays.toString(masker.mask(instances.get(0), 0, 0).maskedPositions()),
                Arrays.toString(masker.mask(instances.get(0), 1, 0).maskedPositions()),
                "another instance id, another mask");
    }

    @Test
    void wholeWordMaskingNeverMasksPartOfAWord() {
        DynamicMasker masker = new DynamicMasker(bert, 0.15, 20, true, 5);
        long masked = 0, continuations = 0;
        for (int i = 0; i < instances.size(); i++) {
            int[] ids = instances.get(i);
            MaskedInstance m = masker.mask(ids, i, 0);
            boolean[] chosen = new boolean[ids.length];
            for (int p : m.maskedPositions()) chosen[p] = true;
            for (int p = 1; p < ids.length; p++) {
                boolean continuation = bert.token(ids[p]).startsWith("##") && !specials.isSpecial(ids[p - 1]);
                if (continuation) {
                    assertEquals(
                            chosen[p - 1],
                            chosen[p],
                            "instance " + i + " splits the word at " + p + ": " + bert.token(ids[p - 1]) + " "
                                    + bert.token(ids[p]));
                    continuations += chosen[p] ? 1 : 0;
                }
            }
            masked += m.maskedPositions().length;
        }
        assertTrue(continuations > 100, "the sample masks whole multi-piece words: " + continuations);
        double fraction = (double) masked / nonSpecialTokens;
        assertTrue(fraction > 0.13 && fraction <= 0.15 + 0.005, "whole-word masked fraction " + fraction);
    }

    @Test
    void aVocabularyWithoutAMaskTokenIsAClearError() throws Exception {
        List<String> vocab =
                new ArrayList<>(Files.readAllLines(SharedCorpus.bertVocabDir().resolve("vocab.txt")));
        vocab.set(vocab.indexOf("[MASK]"), "[unused_mask_removed]");
        Tokenizer noMask = new WordPieceTokenizer(vocab, true);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new DynamicMasker(noMask, 0.15, 20, false, 1));
        assertTrue(e.getMessage().contains("no [MASK] token"), e.getMessage());
    }

    @Test
    void anIdOutsideTheVocabularyIsAClearError() {
        DynamicMasker masker = new DynamicMasker(bert, 0.15, 20, false, 1);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> masker.mask(new int[] {specials.cls(), 50_000, specials.sep()}, 17, 0));
        assertTrue(
                e.getMessage().contains("Instance 17") && e.getMessage().contains("another vocabulary"),
                e.getMessage());
    }

    private static void assertOnlyChosenPositionsChanged(int[] ids, MaskedInstance m) {
        int[] restored = m.inputIds().clone();
        for (int k = 0; k < m.maskedPositions().length; k++) {
            restored[m.maskedPositions()[k]] = m.maskedLabels()[k];
        }
        assertArrayEquals(ids, restored);
    }

    /** [CLS] and n ordinary tokens and [SEP]. */
    private static int[] sequence(int n) {
        int[] ids = new int[n + 2];
        ids[0] = specials.cls();
        for (int i = 1; i <= n; i++) ids[i] = 2000 + i;
        ids[n + 1] = specials.sep();
        return ids;
    }

    private static DynamicMasker roundTrip(DynamicMasker masker) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(masker);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (DynamicMasker) in.readObject();
        }
    }
}
