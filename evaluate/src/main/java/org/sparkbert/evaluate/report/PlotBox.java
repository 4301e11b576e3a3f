package org.sparkbert.evaluate.report;

/** Where a plot stands on the report page, in CSS pixels from the page's top-left corner. */
public record PlotBox(String id, int left, int top, int width, int height) {}
