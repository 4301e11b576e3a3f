package org.sparkbert.tokenize.masking;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparkbert.job.Settings;
import org.sparkbert.tokenize.Tokenizer;

/**
 * BERT's masked-LM corruption, drawn afresh for every (epoch, instance): choose
 * {@code min(maxPredictions, max(1, round(probability * n)))} of the n non-special tokens, replace 80%
 * of them with the mask token, 10% with a random token, keep 10% (create_pretraining_data.py's
 * recipe; RoBERTa's dynamic masking redraws it every epoch). With whole-word masking a word's
 * pieces (WordPiece {@code ##} continuations, byte-level BPE tokens without a leading space) are
 * chosen together, and a word that would overshoot the count is skipped, as BERT does.
 *
 * <p>The result is a pure function of (seed, epoch, instance id) and the input, so every executor
 * computes the same mask and a resumed epoch replays it exactly. Special tokens are never chosen;
 * random replacements are never special tokens.
 */
public final class DynamicMasker implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double MASK_TOKEN_SHARE = 0.8;
    private static final double RANDOM_TOKEN_SHARE = 0.1;

    private final SpecialTokens specials;
    private final boolean[] special;
    private final boolean[] continuesWord;
    private final double probability;
    private final int maxPredictions;
    private final boolean wholeWord;
    private final long seed;

    /**
     * @param tokenizer      the vocabulary the instances were encoded with; it must hold a mask token
     * @param probability    the share of non-special tokens to predict (BERT: 0.15)
     * @param maxPredictions the most positions predicted per instance (BERT: 20 at length 128, 80 at 512)
     * @param wholeWord      choose whole words rather than single pieces
     * @param seed           the masking seed; with the epoch and instance id it fixes every mask
     */
    public DynamicMasker(Tokenizer tokenizer, double probability, int maxPredictions, boolean wholeWord, long seed) {
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException(
                    "The masking probability must lie strictly between 0 and 1, not " + probability + ".");
        }
        if (maxPredictions < 1) {
            throw new IllegalArgumentException(
                    "max_predictions_per_seq must be at least 1, not " + maxPredictions + ".");
        }
        this.specials = SpecialTokens.of(tokenizer);
        int size = tokenizer.vocabularySize();
        this.special = new boolean[size];
        this.continuesWord = new boolean[size];
        for (int id = 0; id < size; id++) {
            special[id] = specials.isSpecial(id);
            continuesWord[id] = tokenizer.continuesWord(id);
        }
        this.probability = probability;
        this.maxPredictions = maxPredictions;
        this.wholeWord = wholeWord;
        this.seed = seed;
    }

    /** A masker configured by the {@code masking.*} settings of {@code conf/instances.properties}. */
    public static DynamicMasker fromSettings(Tokenizer tokenizer, Settings settings) {
        return new DynamicMasker(
                tokenizer,
                settings.number("masking.probability"),
                settings.integer("masking.max_predictions_per_seq"),
                settings.flag("masking.whole_word"),
                settings.longValue("masking.seed"));
    }

    public SpecialTokens specials() {
        return specials;
    }

    /**
     * Masks one instance for one epoch. The input is not modified.
     *
     * @param inputIds   the instance's token ids, special tokens included
     * @param instanceId the instance's stable id (the {@code instance_id} column)
     * @param epoch      the epoch (0-based); each epoch draws a different mask
     */
    public MaskedInstance mask(int[] inputIds, long instanceId, int epoch) {
        SplittableRandom rng = StreamSeed.random(seed, epoch, instanceId);
        int[] candidates = candidatePositions(inputIds, instanceId);
        if (candidates.length == 0) {
            return new MaskedInstance(inputIds.clone(), new int[0], new int[0]);
        }
        int[] unitStarts = unitStarts(inputIds, candidates);
        int target = Math.min(maxPredictions, Math.max(1, (int) Math.round(candidates.length * probability)));
        int[] chosen = chooseUnits(candidates, unitStarts, shuffledOrder(unitStarts.length - 1, rng), target);
        return corrupt(inputIds, chosen, rng);
    }

    private int[] candidatePositions(int[] ids, long instanceId) {
        int[] positions = new int[ids.length];
        int n = 0;
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= special.length) {
                throw new IllegalArgumentException("Instance " + instanceId + " holds token id " + id + " at position "
                        + i
                        + ", outside this vocabulary of " + special.length + " tokens: the instances were built with"
                        + " another vocabulary.");
            }
            if (!special[id]) {
                positions[n++] = i;
            }
        }
        return Arrays.copyOf(positions, n);
    }

    /**
     * Where each maskable unit begins among the candidates, plus a final end marker. A unit is one
     * token, or with whole-word masking a word start and the continuation pieces right after it.
     */
    private int[] unitStarts(int[] ids, int[] candidates) {
        int[] starts = new int[candidates.length + 1];
        int n = 0;
        for (int k = 0; k < candidates.length; k++) {
            boolean continues =
                    wholeWord && k > 0 && candidates[k - 1] == candidates[k] - 1 && continuesWord[ids[candidates[k]]];
            if (!continues) {
                starts[n++] = k;
            }
        }
        starts[n++] = candidates.length;
        return Arrays.copyOf(starts, n);
    }

    private static int[] shuffledOrder(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Takes units in shuffled order until the target count; a unit that would overshoot it is skipped. */
    private static int[] chooseUnits(int[] candidates, int[] unitStarts, int[] order, int target) {
        int[] chosen = new int[target];
        int n = 0;
        for (int w : order) {
            if (n >= target) {
                break;
            }
            int length = unitStarts[w + 1] - unitStarts[w];
            if (n + length > target) {
                continue;
            }
            for (int k = unitStarts[w]; k < unitStarts[w + 1]; k++) {
                chosen[n++] = candidates[k];
            }
        }
        int[] positions = Arrays.copyOf(chosen, n);
        Arrays.sort(positions);
        return positions;
    }

    private MaskedInstance corrupt(int[] ids, int[] positions, SplittableRandom rng) {
        int[] masked = ids.clone();
        int[] labels = new int[positions.length];
        for (int k = 0; k < positions.length; k++) {
            int p = positions[k];
            labels[k] = ids[p];
            double u = rng.nextDouble();
            if (u < MASK_TOKEN_SHARE) {
                masked[p] = specials.mask();
            } else if (u < MASK_TOKEN_SHARE + RANDOM_TOKEN_SHARE) {
                masked[p] = randomOrdinaryToken(rng);
            }
        }
        return new MaskedInstance(masked, positions, labels);
    }

    private int randomOrdinaryToken(SplittableRandom rng) {
        int id;
        do {
            id = rng.nextInt(special.length);
        } while (special[id]);
        return id;
    }
}
