package org.sparkbert.evaluate.report;

import java.util.List;

/** A table of printed cells, rendered as Markdown or HTML. */
record Table(List<String> header, List<List<String>> rows) {

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", header)).append(" |\n");
        out.append("|").append("---|".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            out.append("| ")
                    .append(String.join(
                            " | ", row.stream().map(c -> c.replace("|", "\\|")).toList()))
                    .append(" |\n");
        }
        return out.toString();
    }

    String html() {
        StringBuilder out = new StringBuilder("<table>\n<thead><tr>");
        for (String h : header) {
            out.append("<th>").append(Svg.escape(h)).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            out.append("<tr>");
            for (String cell : row) {
                out.append("<td>").append(Svg.escape(cell)).append("</td>");
            }
            out.append("</tr>\n");
        }
        return out.append("</tbody>\n</table>\n").toString();
    }
}
