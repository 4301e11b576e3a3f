package org.sparkbert.engine.checkpoint;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.optim.Optimizer;

/**
 * The full training state of a model as one {@link Checkpoint}: the weights (model.safetensors),
 * every optimiser state slot ({@link OptimizerState#FILE}) and the trainer state
 * ({@link TrainerState#FILE}). Everything is copied out of the model when this is called, so the
 * model may go on training while the checkpoint is written.
 */
public final class TrainingSnapshot {

    private TrainingSnapshot() {}

    public static Checkpoint capture(
            BertModel model,
            String optimizerName,
            Optimizer optimizer,
            TrainerState state,
            int padTokenId,
            Path vocabDir)
            throws IOException {
        Map<String, StoredTensor> weights = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            long[] shape = java.util.Arrays.stream(p.shape()).asLongStream().toArray();
            float[] values = model.read(p);
            requireFinite(p.name(), values, state.step());
            weights.put(p.name(), StoredTensor.f32(values, shape));
        }
        Map<String, FileBody> extra = Map.of(
                OptimizerState.FILE,
                        OptimizerState.file(optimizerName, optimizer, OptimizerState.capture(model, optimizer)),
                TrainerState.FILE, state.file());
        return new Checkpoint(model.config(), weights, padTokenId, vocabDir, extra);
    }

    /** A checkpoint never holds a NaN or an infinity: it would rotate good checkpoints away and resume into garbage. */
    private static void requireFinite(String name, float[] values, long step) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IOException("refusing to write the checkpoint of step " + step + ": " + name + "[" + i
                        + "] is " + values[i]);
            }
        }
    }
}
