package org.sparkbert.engine.checkpoint;

import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.model.ModelConfig;

/**
 * What goes into one checkpoint directory: the model's tensors under the engine's (Hugging Face)
 * names, its description, the vocabulary directory whose files are copied beside it, the id of the
 * padding token (config.json needs it), and further files by name (optimizer state, trainer state).
 */
public record Checkpoint(
        ModelConfig model,
        Map<String, StoredTensor> weights,
        int padTokenId,
        Path vocabDir,
        Map<String, FileBody> extraFiles) {

    public Checkpoint {
        extraFiles = Map.copyOf(extraFiles);
        for (String name : extraFiles.keySet()) {
            if (CheckpointWriter.RESERVED.contains(name) || name.contains("/") || name.startsWith(".")) {
                throw new IllegalArgumentException("'" + name + "' cannot be an extra checkpoint file name");
            }
        }
    }
}
