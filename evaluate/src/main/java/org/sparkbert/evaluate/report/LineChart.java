package org.sparkbert.evaluate.report;

import java.util.List;

/** A line chart as inline SVG: axes with round ticks, one polyline per series (broken where values are missing), a legend. */
final class LineChart {
    private static final int LEFT = 72;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 48;
    private static final int MAX_POINTS = 2000;

    private LineChart() {
    }

    /** {@code markers} draws a dot at each point (for a handful of checkpoints); {@code empty} is shown when there is no data. */
    static String render(PlotBox box, String title, String xLabel, String yLabel, List<Series> series, boolean markers, String empty) {
        Svg svg = Chart.frame(box, title);
        double[] xRange = range(series, true);
        double[] yRange = range(series, false);
        if (xRange == null) {
            return Chart.empty(svg, box, empty);
        }
        double plotRight = box.width() - RIGHT;
        double plotBottom = box.height() - BOTTOM;
        LinearScale x = new LinearScale(xRange[0], xRange[1], LEFT, plotRight, 6);
        LinearScale y = new LinearScale(yRange[0], yRange[1], plotBottom, TOP, 5);
        Chart.axes(svg, x, y, LEFT, TOP, plotRight, plotBottom);
        svg.text((LEFT + plotRight) / 2, box.height() - 10, "middle", 12, xLabel, false);
        svg.text(16, (TOP + plotBottom) / 2, "middle", 12, yLabel, true);
        int legendRow = 0;
        for (Series s : series) {
            if (drawSeries(svg, s, x, y, markers)) {
                Chart.legendEntry(svg, plotRight - 170, TOP + 14 + 17 * legendRow++, s.color(), s.name());
            }
        }
        return svg.close();
    }

    private static boolean drawSeries(Svg svg, Series s, LinearScale x, LinearScale y, boolean markers) {
        int stride = Math.max(1, s.x().length / MAX_POINTS);
        StringBuilder segment = new StringBuilder();
        boolean drawn = false;
        for (int i = 0; i < s.x().length; i += stride) {
            int k = i + stride >= s.x().length ? s.x().length - 1 : i;
            if (!Double.isFinite(s.x()[k]) || !Double.isFinite(s.y()[k])) {
                flush(svg, segment, s.color());
                continue;
            }
            double px = x.pixel(s.x()[k]);
            double py = y.pixel(s.y()[k]);
            segment.append(Svg.n(px)).append(',').append(Svg.n(py)).append(' ');
            if (markers) {
                svg.circle(px, py, 4.5, s.color());
            }
            drawn = true;
        }
        flush(svg, segment, s.color());
        return drawn;
    }

    private static void flush(Svg svg, StringBuilder segment, String color) {
        if (segment.length() > 0) {
            svg.polyline(segment, color, 2.5);
            segment.setLength(0);
        }
    }

    /** [min, max] of the finite points' x (or y) over all series, or null when no point is finite. */
    private static double[] range(List<Series> series, boolean ofX) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    double v = ofX ? s.x()[i] : s.y()[i];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        return min > max ? null : new double[]{min, max};
    }
}
