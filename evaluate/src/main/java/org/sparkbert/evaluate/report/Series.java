package org.sparkbert.evaluate.report;

/** A named, coloured sequence of values: a line's (x, y) points, or a bar group's values (x unused). */
record Series(String name, String color, double[] x, double[] y) {}
