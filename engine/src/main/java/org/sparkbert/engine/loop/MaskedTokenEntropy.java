package org.sparkbert.engine.loop;

/**
 * The entropy, in nats, of the unigram distribution of the tokens the masked-LM had to predict so
 * far: the loss of a model that knows only token frequencies. An MLM loss below it shows learning
 * beyond frequencies; above it, the model has not yet caught up with a frequency table.
 */
public final class MaskedTokenEntropy {

    private final long[] counts;
    private long total;

    public MaskedTokenEntropy(int vocabularySize) {
        this.counts = new long[vocabularySize];
    }

    public void add(int[] labels, int count) {
        for (int i = 0; i < count; i++) {
            counts[labels[i]]++;
        }
        total += count;
    }

    public double nats() {
        if (total == 0) {
            return 0;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p);
            }
        }
        return h;
    }
}
