package org.sparkbert.engine.checkpoint;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.optim.Optimizer;

/**
 * A verified checkpoint read back in full, to continue training from: the weights, the optimiser
 * state and the trainer state of directory {@code dir}.
 */
public record ResumePoint(Path dir, CheckpointReader.Loaded model, Safetensors.Contents optimizer, TrainerState state) {

    /** Verifies every file of {@code dir} against its manifest, then reads it; the error names the directory. */
    public static ResumePoint read(FileSystem fs, Path dir) throws IOException {
        CheckpointReader.Loaded model = CheckpointReader.read(fs, dir);
        return new ResumePoint(dir, model, OptimizerState.read(fs, dir), TrainerState.read(fs, dir));
    }

    public long step() {
        return state.step();
    }

    /**
     * Writes the weights and every optimiser state slot into {@code target} bit for bit. The model
     * must have the checkpoint's configuration and the optimiser's state slots.
     */
    public void restoreInto(BertModel target, String optimizerName, Optimizer optim) throws IOException {
        if (!target.config().equals(model.model())) {
            throw new IOException(
                    dir + ": the checkpoint's model is " + model.model() + ", this run's is " + target.config());
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Parameter p : target.parameters()) {
            StoredTensor t = model.weights().get(p.name());
            if (t == null || t.floats() == null || t.floats().length != p.size()) {
                throw new IOException(dir + ": " + CheckpointWriter.WEIGHTS + " has no F32 tensor " + p.name() + " of "
                        + p.size() + " values");
            }
            values.put(p.name(), t.floats());
        }
        values.forEach((name, v) -> target.write(target.parameter(name), v));
        OptimizerState.restore(target, optimizerName, optim, optimizer, dir);
    }
}
