package org.sparkbert.pipeline;

import java.util.function.IntSupplier;

/**
 * One stage of the pipeline: its name, a line saying what it does, the directory it fills, whether it
 * finds its own complete output there and skips (every Spark stage does; the report is always
 * rewritten), and the call that runs it in this JVM and returns its exit code (0 done, 1 failed,
 * 2 refused).
 */
public record PipelineStep(String name, String what, String output, boolean resumable, IntSupplier action) {}
