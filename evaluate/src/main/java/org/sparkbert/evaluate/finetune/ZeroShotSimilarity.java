package org.sparkbert.evaluate.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.glue.GlueExample;
import org.sparkbert.evaluate.metrics.SpearmanCorrelation;
import org.sparkbert.evaluate.perplexity.BackendChoice;
import org.sparkbert.evaluate.perplexity.ModelWeights;

/**
 * Zero-shot STS-B: each sentence alone ([CLS] s [SEP]) through the encoder without fine-tuning, its
 * vector the mean of the last layer's outputs over its tokens; the score of a pair is the cosine of
 * its two vectors, compared with the gold scores by Spearman correlation. Raw, and after BERT-whitening
 * (Su et al. 2021): vectors centred on their mean and multiplied by a W with W W^T = inverse covariance,
 * so that their covariance becomes the identity. Cosines after whitening depend on W only through
 * W W^T, so the Cholesky factor serves as well as the SVD of the paper (which also keeps all dimensions here).
 */
public final class ZeroShotSimilarity {

    /** Spearman correlations of the raw and whitened cosines with the gold scores. */
    public record Result(double spearmanRaw, double spearmanWhitened, int pairs) {}

    private ZeroShotSimilarity() {}

    /**
     * Scores the pairs with the encoder {@link ModelWeights#newModel} makes of {@code seed} and
     * {@code keepFresh}: the checkpoint's with {@code name -> false}, the same architecture with random
     * weights (the random-init baseline) with {@code name -> true}.
     */
    public static Result evaluate(
            ModelWeights weights,
            long seed,
            Predicate<String> keepFresh,
            List<GlueExample> pairs,
            PairEncoder encoder,
            int threads,
            int batchSize) {
        return evaluate(weights, seed, keepFresh, pairs, encoder, BackendChoice.cpu(), threads, batchSize);
    }

    /** As the method above, on the chosen backend. */
    public static Result evaluate(
            ModelWeights weights,
            long seed,
            Predicate<String> keepFresh,
            List<GlueExample> pairs,
            PairEncoder encoder,
            BackendChoice backend,
            int threads,
            int batchSize) {
        List<EncodedPair> sentences = new ArrayList<>();
        pairs.forEach(pair -> sentences.add(alone(encoder, pair, pair.textA())));
        pairs.forEach(pair -> sentences.add(alone(encoder, pair, pair.textB())));
        double[][] vectors =
                meanPooled(weights, seed, keepFresh, sentences, encoder.padId(), backend, threads, batchSize);
        int n = pairs.size();
        double[] raw = new double[n];
        double[][] whitened = whiten(vectors);
        double[] white = new double[n];
        for (int i = 0; i < n; i++) {
            raw[i] = cosine(vectors[i], vectors[n + i]);
            white[i] = cosine(whitened[i], whitened[n + i]);
        }
        double[] gold = pairs.stream().mapToDouble(GlueExample::score).toArray();
        return new Result(SpearmanCorrelation.of(gold, raw), SpearmanCorrelation.of(gold, white), n);
    }

    /** One sentence of a pair on its own: [CLS] s [SEP]. */
    private static EncodedPair alone(PairEncoder encoder, GlueExample pair, String sentence) {
        return encoder.encode(
                new GlueExample(pair.id(), pair.line(), sentence, null, GlueExample.NO_LABEL, Double.NaN));
    }

    /** The mean of the encoder's outputs over each sequence's real tokens, with a dropout-free model. */
    static double[][] meanPooled(
            ModelWeights weights,
            long seed,
            Predicate<String> keepFresh,
            List<EncodedPair> sequences,
            int padId,
            BackendChoice backend,
            int threads,
            int batchSize) {
        int t = sequences.stream().mapToInt(EncodedPair::length).max().orElse(2);
        int b = Math.min(batchSize, sequences.size());
        ModelConfig config = weights.config().withDropout(0f, 0f);
        int h = config.hiddenSize();
        double[][] out = new double[sequences.size()][h];
        try (BertModel model = weights.newModel(config, backend, threads, b, t, 1, 0, seed, keepFresh)) {
            for (int start = 0; start < sequences.size(); start += b) {
                List<EncodedPair> rows = sequences.subList(start, Math.min(sequences.size(), start + b));
                model.forward(EncodedPair.batch(rows, t, padId, new int[rows.size()], null), 0, 0, 0f);
                float[] hidden = model.hiddenStates();
                for (int r = 0; r < rows.size(); r++) {
                    int length = rows.get(r).length();
                    double[] v = out[start + r];
                    for (int pos = 0; pos < length; pos++) {
                        int base = (r * t + pos) * h;
                        for (int j = 0; j < h; j++) {
                            v[j] += hidden[base + j];
                        }
                    }
                    for (int j = 0; j < h; j++) {
                        v[j] /= length;
                    }
                }
            }
        }
        return out;
    }

    /**
     * The vectors centred and multiplied by L^-T, where L L^T is their covariance (divided by n, as
     * numpy's np.cov(..., bias=True) that BERT-whitening uses): the result has identity covariance.
     */
    static double[][] whiten(double[][] vectors) {
        int n = vectors.length;
        int h = vectors[0].length;
        double[] mean = new double[h];
        for (double[] v : vectors) {
            for (int j = 0; j < h; j++) {
                mean[j] += v[j] / n;
            }
        }
        double[][] centred = new double[n][];
        for (int i = 0; i < n; i++) {
            centred[i] = new double[h];
            for (int j = 0; j < h; j++) {
                centred[i][j] = vectors[i][j] - mean[j];
            }
        }
        double[][] covariance = new double[h][h];
        for (double[] v : centred) {
            for (int a = 0; a < h; a++) {
                for (int c = 0; c <= a; c++) {
                    covariance[a][c] += v[a] * v[c] / n;
                }
            }
        }
        double[][] l = cholesky(covariance);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = forwardSubstitution(l, centred[i]);
        }
        return out;
    }

    /** The lower-triangular L with L L^T = the matrix (given by its lower triangle). */
    private static double[][] cholesky(double[][] m) {
        int h = m.length;
        double[][] l = new double[h][h];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = m[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        throw new IllegalArgumentException(
                                "the sentence vectors' covariance is singular (dimension " + i
                                        + "): whitening needs more sentences than hidden dimensions, with distinct vectors");
                    }
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }

    /** y with L y = x. */
    private static double[] forwardSubstitution(double[][] l, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double sum = x[i];
            for (int k = 0; k < i; k++) {
                sum -= l[i][k] * y[k];
            }
            y[i] = sum / l[i][i];
        }
        return y;
    }

    static double cosine(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < a.length; j++) {
            dot += a[j] * b[j];
            na += a[j] * a[j];
            nb += b[j] * b[j];
        }
        return dot / Math.sqrt(na * nb);
    }
}
