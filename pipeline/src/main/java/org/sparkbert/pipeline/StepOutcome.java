package org.sparkbert.pipeline;

/** How one stage went: skipped because its complete output was already there, or run for so many seconds. */
public record StepOutcome(String name, boolean skipped, double seconds) {}
