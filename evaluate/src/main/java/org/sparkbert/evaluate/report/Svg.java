package org.sparkbert.evaluate.report;

import java.util.Locale;

/** A small SVG writer: the few elements the report's charts are drawn with, numbers in a fixed locale. */
final class Svg {
    private final StringBuilder out = new StringBuilder();

    Svg(String id, int width, int height, String style) {
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"")
                .append(escape(id))
                .append("\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" style=\"")
                .append(style)
                .append("\" font-family=\"sans-serif\">\n");
        rect(0, 0, width, height, "#ffffff", null);
    }

    Svg rect(double x, double y, double w, double h, String fill, String stroke) {
        out.append("<rect x=\"")
                .append(n(x))
                .append("\" y=\"")
                .append(n(y))
                .append("\" width=\"")
                .append(n(w))
                .append("\" height=\"")
                .append(n(h))
                .append("\" fill=\"")
                .append(fill)
                .append('"');
        if (stroke != null) {
            out.append(" stroke=\"").append(stroke).append('"');
        }
        out.append("/>\n");
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, double width) {
        out.append("<line x1=\"")
                .append(n(x1))
                .append("\" y1=\"")
                .append(n(y1))
                .append("\" x2=\"")
                .append(n(x2))
                .append("\" y2=\"")
                .append(n(y2))
                .append("\" stroke=\"")
                .append(stroke)
                .append("\" stroke-width=\"")
                .append(n(width))
                .append("\"/>\n");
        return this;
    }

    Svg polyline(StringBuilder points, String stroke, double width) {
        out.append("<polyline fill=\"none\" stroke=\"")
                .append(stroke)
                .append("\" stroke-width=\"")
                .append(n(width))
                .append("\" stroke-linejoin=\"round\" points=\"")
                .append(points)
                .append("\"/>\n");
        return this;
    }

    Svg circle(double cx, double cy, double r, String fill) {
        out.append("<circle cx=\"")
                .append(n(cx))
                .append("\" cy=\"")
                .append(n(cy))
                .append("\" r=\"")
                .append(n(r))
                .append("\" fill=\"")
                .append(fill)
                .append("\"/>\n");
        return this;
    }

    /** Text; {@code anchor} is start, middle or end; {@code rotate} turns it about its anchor point. */
    Svg text(double x, double y, String anchor, int size, String content, boolean rotate) {
        out.append("<text x=\"")
                .append(n(x))
                .append("\" y=\"")
                .append(n(y))
                .append("\" text-anchor=\"")
                .append(anchor)
                .append("\" font-size=\"")
                .append(size)
                .append("\" fill=\"#333333\"");
        if (rotate) {
            out.append(" transform=\"rotate(-90 ")
                    .append(n(x))
                    .append(' ')
                    .append(n(y))
                    .append(")\"");
        }
        out.append('>').append(escape(content)).append("</text>\n");
        return this;
    }

    String close() {
        return out.append("</svg>\n").toString();
    }

    static String n(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
