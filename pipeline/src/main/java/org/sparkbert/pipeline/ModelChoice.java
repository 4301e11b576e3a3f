package org.sparkbert.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.job.UsageException;

/** Reads --model as the train stage does: a model file, else a bundled name such as bert-tiny. */
public final class ModelChoice {
    private ModelChoice() {}

    public static ModelConfig resolve(String model) {
        Path file = Path.of(model);
        try {
            if (Files.isRegularFile(file)) {
                return ModelConfig.load(file);
            }
            return ModelConfig.bundled(file.getFileName().toString().replaceFirst("\\.conf$", ""));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model " + model + ": " + e.getMessage());
        }
    }
}
