package org.sparkbert.tokenize.instances;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * The instance algorithms on small synthetic documents whose token ids say where each token came
 * from: id = 100000 * (document + 1) + 1000 * sentence + position, so any segment can be traced back.
 */
class InstanceAlgorithmsTest {
    private static final SpecialTokens SPECIALS = new SpecialTokens(1, 2, 3, 0, 4);

    static int docOf(int id) {
        return id / 100000 - 1;
    }

    static int sentenceOf(int id) {
        return id % 100000 / 1000;
    }

    static List<TokenizedDocument> corpus(int documents, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<TokenizedDocument> docs = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            int[][] sentences = new int[2 + rng.nextInt(12)][];
            for (int s = 0; s < sentences.length; s++) {
                sentences[s] = new int[1 + rng.nextInt(rng.nextInt(10) == 0 ? 200 : 40)];
                for (int k = 0; k < sentences[s].length; k++) {
                    sentences[s][k] = 100000 * (d + 1) + 1000 * s + k;
                }
            }
            docs.add(new TokenizedDocument("doc-" + d, sentences));
        }
        return docs;
    }

    @Test
    void truncationTrimsTheLongerSegmentAndKeepsContiguousPieces() {
        SplittableRandom rng = new SplittableRandom(3);
        int frontTrims = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int[] a = range(100, 1 + rng.nextInt(150));
            int[] b = range(1000, 1 + rng.nextInt(150));
            int max = 2 + rng.nextInt(200);
            int[][] ab = PairLayout.truncate(a, b, max, rng);
            assertTrue(ab[0].length + ab[1].length <= max);
            assertTrue(ab[0].length >= 1 && ab[1].length >= 1);
            if (a.length + b.length > max) {
                assertTrue(
                        Math.abs(ab[0].length - ab[1].length) <= 1
                                || ab[0].length == a.length
                                || ab[1].length == b.length,
                        "only the longer segment is trimmed");
            }
            assertContiguous(ab[0]);
            assertContiguous(ab[1]);
            frontTrims += ab[0].length > 0 && ab[0][0] != 100 ? 1 : 0;
        }
        assertTrue(frontTrims > 300, "segments are trimmed at the front too: " + frontTrims);
    }

    @Test
    void pairLayoutIsClsASepBSepWithSegmentIds() {
        TrainingInstance t = PairLayout.instance(
                InstanceKey.of(1, 0, 0, 0), "d", new int[] {10, 11}, new int[] {20, 21, 22}, 0, 10, SPECIALS);
        assertArrayEquals(new int[] {1, 10, 11, 2, 20, 21, 22, 2}, t.inputIds());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 1}, t.tokenTypeIds());
    }

    @Test
    void nextSentencePairsFollowBertsChunkingAndPutBack() {
        List<TokenizedDocument> docs = corpus(60, 11);
        NextSentencePairs nsp = new NextSentencePairs(new InstanceShape(64, 0.1, 5));
        int random = 0, total = 0;
        for (int d = 0; d < docs.size(); d++) {
            TokenizedDocument doc = docs.get(d);
            boolean[] used = new boolean[doc.sentenceCount()];
            int next = 0;
            for (PendingPair p : nsp.pairs(doc, d, docs.size(), 0)) {
                total++;
                next = assertWholeSentences(doc, p.a(), next, used);
                if (p.needsRandomNext()) {
                    random++;
                    assertNotEquals(d, p.otherDocument(), "random next from the same document");
                    assertTrue(p.otherDocument() >= 0 && p.otherDocument() < docs.size());
                    TrainingInstance t = p.completeFrom(docs.get((int) p.otherDocument()), 1000, SPECIALS);
                    assertEquals(1, t.label());
                    int[] b = segmentB(t);
                    assertTrue(Arrays.stream(b).allMatch(id -> docOf(id) == p.otherDocument()));
                    assertTrue(
                            b.length >= p.targetBLength()
                                    || sentenceOf(b[b.length - 1])
                                            == docs.get((int) p.otherDocument()).sentenceCount() - 1,
                            "B stops at its target or the document's end");
                } else {
                    next = assertWholeSentences(doc, p.trueNext(), next, used);
                    TrainingInstance t = p.complete(61, SPECIALS);
                    assertEquals(0, t.label());
                    assertTrue(t.inputIds().length <= 64);
                }
            }
            for (int s = 0; s < used.length; s++) {
                assertTrue(
                        used[s],
                        "sentence " + s + " of " + doc.docId() + " was never used: BERT puts unused sentences back");
            }
        }
        assertTrue(random > total / 3 && random < total * 3 / 4, random + " random of " + total);
    }

    @Test
    void sentenceOrderPairsSwapExactlyTheLabelledPairs() {
        List<TokenizedDocument> docs = corpus(80, 12);
        SentenceOrderPairs sop = new SentenceOrderPairs(new InstanceShape(64, 0.1, 5), SPECIALS);
        int swapped = 0, total = 0;
        for (int d = 0; d < docs.size(); d++) {
            for (TrainingInstance t : sop.pairs(docs.get(d), d, 0)) {
                total++;
                int[] a = segmentA(t), b = segmentB(t);
                assertTrue(t.inputIds().length <= 64);
                assertTrue(Arrays.stream(t.inputIds()).filter(id -> id > 4).allMatch(id -> docOf(id) == docOfDoc(t)));
                boolean inOrder = sentenceOf(a[a.length - 1]) < sentenceOf(b[0]);
                assertEquals(
                        t.label() == 0,
                        inOrder,
                        "label " + t.label() + " but A " + sentenceOf(a[0]) + " B " + sentenceOf(b[0]));
                swapped += t.label();
            }
        }
        assertTrue(swapped > total * 0.4 && swapped < total * 0.6, swapped + " swapped of " + total);
    }

    @Test
    void sentenceOrderChunksHoldTwoSentencesAndCoverTheDocument() {
        for (TokenizedDocument doc : corpus(200, 13)) {
            for (int target : new int[] {2, 30, 125}) {
                List<int[]> chunks = SentenceOrderPairs.chunks(doc, target);
                int next = 0;
                for (int[] c : chunks) {
                    assertEquals(next, c[0]);
                    assertTrue(c[1] - c[0] >= 2);
                    next = c[1];
                }
                assertEquals(doc.sentenceCount(), next);
            }
        }
    }

    @Test
    void fullSentencesPackEveryTokenInOrderWithSeparatorsAtDocumentBoundaries() {
        List<TokenizedDocument> docs = corpus(40, 14);
        List<TrainingInstance> packed =
                new FullSentencePacker(new InstanceShape(64, 0.1, 5), SPECIALS).pack(3, docs, 0);
        List<Integer> content = new ArrayList<>();
        int separators = 0;
        for (TrainingInstance t : packed) {
            int[] ids = t.inputIds();
            assertTrue(ids.length <= 64);
            assertEquals(SPECIALS.cls(), ids[0]);
            assertEquals(SPECIALS.sep(), ids[ids.length - 1]);
            assertTrue(Arrays.stream(t.tokenTypeIds()).allMatch(x -> x == 0));
            assertEquals(TrainingInstance.NO_LABEL, t.label());
            assertEquals("doc-" + docOf(ids[1]), t.docId());
            for (int i = 1; i < ids.length - 1; i++) {
                if (ids[i] == SPECIALS.sep()) {
                    separators++;
                    assertNotEquals(docOf(ids[i - 1]), docOf(ids[i + 1]), "a separator only between documents");
                } else {
                    content.add(ids[i]);
                }
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (TokenizedDocument doc : docs) {
            for (int[] s : doc.sentences()) for (int id : s) expected.add(id);
        }
        assertEquals(expected, content, "every token once, in order");
        assertTrue(separators > docs.size() / 2, separators + " separators");
        for (int i = 0; i + 1 < packed.size(); i++) {
            int[] nextIds = packed.get(i + 1).inputIds();
            int first = nextIds[1];
            boolean continuesASentence = first % 1000 > 0;
            int sentenceLength = docs.get(docOf(first)).sentences()[sentenceOf(first)].length;
            int contentWithSeparator = packed.get(i).inputIds().length - 2 + 1;
            assertTrue(
                    continuesASentence || contentWithSeparator + Math.min(62, sentenceLength) > 62,
                    "instance " + i + " was closed although the next sentence fitted");
        }
    }

    @Test
    void sentenceSplitterKeepsAbbreviationsAndBreaksAtLines() {
        List<SentenceSplitter.Sentence> s = new SentenceSplitter()
                .split("Mr. Smith went to Washington. He arrived at 5 p.m.\nThe end is near!  Is it?");
        assertEquals(
                List.of("Mr. Smith went to Washington.", "He arrived at 5 p.m.", "The end is near!", "Is it?"),
                s.stream().map(SentenceSplitter.Sentence::text).toList());
        assertFalse(s.get(0).afterSpace());
        assertTrue(s.get(1).afterSpace());
    }

    private static int docOfDoc(TrainingInstance t) {
        return Integer.parseInt(t.docId().substring(4));
    }

    /** Checks that a segment is whole sentences starting at {@code next}; marks them used; returns the sentence after. */
    private static int assertWholeSentences(TokenizedDocument doc, int[] segment, int next, boolean[] used) {
        int[] expected = doc.tokens(next, sentenceOf(segment[segment.length - 1]) + 1);
        assertArrayEquals(expected, segment, "a segment is whole consecutive sentences from where the last one ended");
        for (int s = next; s <= sentenceOf(segment[segment.length - 1]); s++) used[s] = true;
        return sentenceOf(segment[segment.length - 1]) + 1;
    }

    private static int[] segmentA(TrainingInstance t) {
        int[] ids = t.inputIds();
        int sep = 1;
        while (ids[sep] != SPECIALS.sep()) sep++;
        return Arrays.copyOfRange(ids, 1, sep);
    }

    private static int[] segmentB(TrainingInstance t) {
        int[] ids = t.inputIds();
        return Arrays.copyOfRange(ids, segmentA(t).length + 2, ids.length - 1);
    }

    private static int[] range(int from, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = from + i;
        return r;
    }

    private static void assertContiguous(int[] xs) {
        for (int i = 1; i < xs.length; i++) assertEquals(xs[i - 1] + 1, xs[i]);
    }
}
