package org.sparkbert.evaluate.report;

import java.util.List;

/** Grouped bars as inline SVG: one group of bars per category, one colour per series; a missing value draws no bar. */
final class BarChart {
    private static final int LEFT = 72;
    private static final int RIGHT = 20;
    private static final int TOP = 62;
    private static final int BOTTOM = 40;

    private BarChart() {}

    static String render(
            PlotBox box, String title, String yLabel, List<String> categories, List<Series> groups, String empty) {
        Svg svg = Chart.frame(box, title);
        double min = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (Series g : groups) {
            for (double v : g.y()) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (categories.isEmpty() || max == Double.NEGATIVE_INFINITY) {
            return Chart.empty(svg, box, empty);
        }
        double plotRight = box.width() - RIGHT;
        double plotBottom = box.height() - BOTTOM;
        LinearScale y = new LinearScale(min, Math.max(max, 0), plotBottom, TOP, 5);
        Chart.yAxis(svg, y, LEFT, plotRight);
        svg.rect(LEFT, TOP, plotRight - LEFT, plotBottom - TOP, "none", "#bbbbbb");
        svg.text(16, (TOP + plotBottom) / 2, "middle", 12, yLabel, true);

        double band = (plotRight - LEFT) / categories.size();
        double barWidth = band * 0.8 / groups.size();
        double zero = y.pixel(0);
        for (int c = 0; c < categories.size(); c++) {
            double bandLeft = LEFT + c * band;
            svg.text(bandLeft + band / 2, plotBottom + 18, "middle", 12, categories.get(c), false);
            for (int g = 0; g < groups.size(); g++) {
                double v = groups.get(g).y()[c];
                if (Double.isFinite(v)) {
                    double top = Math.min(zero, y.pixel(v));
                    double height = Math.max(1, Math.abs(zero - y.pixel(v)));
                    svg.rect(
                            bandLeft + band * 0.1 + g * barWidth,
                            top,
                            barWidth - 1,
                            height,
                            groups.get(g).color(),
                            null);
                }
            }
        }
        svg.line(LEFT, zero, plotRight, zero, "#555555", 1);
        double legendX = LEFT;
        for (Series g : groups) {
            Chart.legendEntry(svg, legendX, 44, g.color(), g.name());
            legendX += 40 + 7.5 * g.name().length();
        }
        return svg.close();
    }
}
