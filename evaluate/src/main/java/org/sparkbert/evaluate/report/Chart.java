package org.sparkbert.evaluate.report;

/** What every chart of the report shares: the frame and title, axes, legend entries, the empty state. */
final class Chart {
    private Chart() {}

    static Svg frame(PlotBox box, String title) {
        Svg svg = new Svg(
                box.id(),
                box.width(),
                box.height(),
                "position:absolute;left:" + box.left() + "px;top:" + box.top() + "px");
        svg.text(box.width() / 2.0, 24, "middle", 15, title, false);
        return svg;
    }

    static String empty(Svg svg, PlotBox box, String message) {
        svg.rect(1, 1, box.width() - 2, box.height() - 2, "none", "#dddddd");
        svg.text(box.width() / 2.0, box.height() / 2.0, "middle", 13, message, false);
        return svg.close();
    }

    static void axes(Svg svg, LinearScale x, LinearScale y, double left, double top, double right, double bottom) {
        yAxis(svg, y, left, right);
        for (double tick : x.ticks()) {
            double px = x.pixel(tick);
            svg.line(px, bottom, px, bottom + 5, "#555555", 1);
            svg.text(px, bottom + 18, "middle", 11, x.label(tick), false);
        }
        svg.rect(left, top, right - left, bottom - top, "none", "#bbbbbb");
    }

    static void yAxis(Svg svg, LinearScale y, double left, double right) {
        for (double tick : y.ticks()) {
            double py = y.pixel(tick);
            svg.line(left, py, right, py, "#eeeeee", 1);
            svg.text(left - 6, py + 4, "end", 11, y.label(tick), false);
        }
    }

    static void legendEntry(Svg svg, double x, double y, String color, String name) {
        svg.line(x, y - 4, x + 22, y - 4, color, 3);
        svg.text(x + 28, y, "start", 12, name, false);
    }
}
