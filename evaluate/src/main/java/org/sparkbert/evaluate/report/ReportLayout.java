package org.sparkbert.evaluate.report;

import java.util.List;

/**
 * The fixed geometry of report.html's plot area: a header of fixed height, then the plots at fixed
 * positions, so that what a browser draws is where this class says (the rendering test looks there).
 */
public final class ReportLayout {
    public static final int HEADER_HEIGHT = 110;
    public static final int MARGIN = 20;
    /** Two plots and three margins fill 1200 px, a laptop screen's width. */
    public static final int PLOT_WIDTH = 570;

    public static final int PLOT_HEIGHT = 300;
    public static final int WIDE_PLOT_HEIGHT = 340;
    public static final int PAGE_WIDTH = 3 * MARGIN + 2 * PLOT_WIDTH;

    public static final PlotBox LOSS = small("plot-loss", 0, 0);
    public static final PlotBox LEARNING_RATE = small("plot-lr", 1, 0);
    public static final PlotBox ACCURACY = small("plot-accuracy", 0, 1);
    public static final PlotBox PERPLEXITY = small("plot-perplexity", 1, 1);
    public static final PlotBox GLUE =
            new PlotBox("plot-glue", MARGIN, rowTop(2), PAGE_WIDTH - 2 * MARGIN, WIDE_PLOT_HEIGHT);

    /** Height of the plot area below the header. */
    public static final int PLOTS_HEIGHT = GLUE.top() + GLUE.height() + MARGIN - HEADER_HEIGHT;

    private ReportLayout() {}

    public static List<PlotBox> all() {
        return List.of(LOSS, LEARNING_RATE, ACCURACY, PERPLEXITY, GLUE);
    }

    private static PlotBox small(String id, int column, int row) {
        return new PlotBox(id, MARGIN + column * (PLOT_WIDTH + MARGIN), rowTop(row), PLOT_WIDTH, PLOT_HEIGHT);
    }

    private static int rowTop(int row) {
        return HEADER_HEIGHT + MARGIN + row * (PLOT_HEIGHT + MARGIN);
    }
}
