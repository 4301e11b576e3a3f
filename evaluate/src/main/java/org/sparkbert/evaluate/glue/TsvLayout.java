package org.sparkbert.evaluate.glue;

import java.util.List;

/**
 * Where the fields of one GLUE file kind stand. Columns are counted from 0; -1 means "not in this file".
 * A layout with a header expects exactly that header line (a UTF-8 byte-order mark before it is
 * dropped, as Python's {@code utf-8-sig} does); one without a header has only data lines.
 */
public record TsvLayout(List<String> header, int columns, int index, int textA, int textB, int label) {

    /** A file whose first line is this header; every data line has as many columns as the header. */
    public static TsvLayout withHeader(String tabSeparatedHeader, int index, int textA, int textB, int label) {
        List<String> names = List.of(tabSeparatedHeader.split("\t", -1));
        return new TsvLayout(names, names.size(), index, textA, textB, label);
    }

    /** A file with no header line (CoLA's train and dev files). */
    public static TsvLayout headerless(int columns, int textA, int label) {
        return new TsvLayout(null, columns, -1, textA, -1, label);
    }

    public boolean hasHeader() {
        return header != null;
    }

    public boolean isLabelled() {
        return label >= 0;
    }

    public String headerLine() {
        return hasHeader() ? String.join("\t", header) : null;
    }
}
