package org.sparkbert.evaluate.report;

/** The report's series colours (Tableau 10): one meaning per colour across all plots. */
public final class Palette {
    public static final String LOSS = "#1f77b4";
    public static final String MLM_LOSS = "#ff7f0e";
    public static final String NSP_LOSS = "#2ca02c";
    public static final String LEARNING_RATE = "#d62728";
    public static final String MLM_ACCURACY = "#9467bd";
    public static final String NSP_ACCURACY = "#8c564b";
    public static final String PERPLEXITY = "#17becf";
    public static final String PSEUDO_PERPLEXITY = "#bcbd22";
    public static final String OURS = "#1f77b4";
    public static final String BASELINE = "#7f7f7f";
    public static final String VALIDATION_LOSS = "#e377c2";
    public static final String UNIGRAM_BASELINE = "#7f7f7f";
    public static final String NEIGHBOUR_BASELINE = "#000000";
    public static final String[] PUBLISHED = {"#bcbd22", "#e377c2", "#ff7f0e"};

    private Palette() {}
}
