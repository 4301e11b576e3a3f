package org.sparkbert.evaluate.report;

import java.util.List;

/** A line chart as inline SVG: axes with round ticks, one polyline per series (broken where values are missing), a legend. */
final class LineChart {
    private static final int LEFT = 72;
    private static final int RIGHT = 20;
    private static final int TITLE = 40;
    private static final int LEGEND_ROW = 17;
    private static final int BOTTOM = 48;
    private static final int MAX_POINTS = 2000;

    private LineChart() {}

    /** {@code markers} draws a dot at each point (for a handful of checkpoints); {@code empty} is shown when there is no data. */
    static String render(
            PlotBox box,
            String title,
            String xLabel,
            String yLabel,
            List<Series> series,
            boolean markers,
            String empty) {
        Svg svg = Chart.frame(box, title);
        double[] xRange = range(series, true);
        double[] yRange = range(series, false);
        if (xRange == null) {
            return Chart.empty(svg, box, empty);
        }
        double plotRight = box.width() - RIGHT;
        double plotBottom = box.height() - BOTTOM;
        List<Series> shown = series.stream().filter(LineChart::hasPoint).toList();
        // The legend takes rows between the title and the plot area, so it never hides a line.
        int rows = legendRows(shown, plotRight - LEFT);
        double top = TITLE + rows * LEGEND_ROW + 6;
        LinearScale x = new LinearScale(xRange[0], xRange[1], LEFT, plotRight, 6);
        LinearScale y = new LinearScale(yRange[0], yRange[1], plotBottom, top, 5);
        Chart.axes(svg, x, y, LEFT, top, plotRight, plotBottom);
        svg.text((LEFT + plotRight) / 2, box.height() - 10, "middle", 12, xLabel, false);
        svg.text(16, (top + plotBottom) / 2, "middle", 12, yLabel, true);
        double legendX = LEFT;
        int legendRow = 0;
        for (Series s : shown) {
            drawSeries(svg, s, x, y, markers);
            double width = legendWidth(s);
            if (legendX > LEFT && legendX + width > plotRight) {
                legendX = LEFT;
                legendRow++;
            }
            Chart.legendEntry(svg, legendX, TITLE + 8 + LEGEND_ROW * legendRow, s.color(), s.name());
            legendX += width;
        }
        return svg.close();
    }

    /** Room for a legend entry: the line sample, the gap and about 7 px per character of 12 px text. */
    private static double legendWidth(Series s) {
        return 28 + 7 * s.name().length() + 18;
    }

    private static int legendRows(List<Series> shown, double width) {
        int rows = shown.isEmpty() ? 0 : 1;
        double used = 0;
        for (Series s : shown) {
            double w = legendWidth(s);
            if (used > 0 && used + w > width) {
                rows++;
                used = 0;
            }
            used += w;
        }
        return rows;
    }

    private static boolean hasPoint(Series s) {
        for (int i = 0; i < s.x().length; i++) {
            if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                return true;
            }
        }
        return false;
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
        return min > max ? null : new double[] {min, max};
    }
}
