package org.sparkbert.engine.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.Parameter;
import org.sparkbert.engine.optim.AdaDelta;
import org.sparkbert.engine.optim.AdaGrad;
import org.sparkbert.engine.optim.AdamW;
import org.sparkbert.engine.optim.Lamb;
import org.sparkbert.engine.optim.Optimizer;
import org.sparkbert.engine.optim.Sgd;

/**
 * optimizer.safetensors: every state slot of every parameter, named {@code <parameter>.<slot>} with
 * PyTorch's slot names (exp_avg and exp_avg_sq for AdamW and LAMB, momentum_buffer for SGD, sum
 * for AdaGrad, square_avg and acc_delta for AdaDelta), in the engine's layout (the Hugging Face
 * tensor names, no layout changes: only the engine reads this file back). The metadata names the
 * optimiser and its hyperparameters, so that a resumed run cannot silently pair moments with
 * another optimiser.
 */
public final class OptimizerState {

    public static final String FILE = "optimizer.safetensors";

    private OptimizerState() {}

    /** The names of the optimiser's state slots, in slot order. */
    public static List<String> slotNames(Optimizer optimizer) {
        if (optimizer instanceof AdamW || optimizer instanceof Lamb) {
            return List.of("exp_avg", "exp_avg_sq");
        }
        if (optimizer instanceof Sgd) {
            return List.of("momentum_buffer");
        }
        if (optimizer instanceof AdaGrad) {
            return List.of("sum");
        }
        if (optimizer instanceof AdaDelta) {
            return List.of("square_avg", "acc_delta");
        }
        List<String> names = new ArrayList<>();
        for (int s = 0; s < optimizer.stateSlots(); s++) {
            names.add("slot" + s);
        }
        return names;
    }

    /** The metadata that identifies the optimiser (its --optimizer name and its hyperparameters). */
    public static Map<String, String> metadata(String name, Optimizer optimizer) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("optimizer", name);
        m.put("hyperparameters", optimizer.toString());
        m.put("slots", String.join(",", slotNames(optimizer)));
        return m;
    }

    /** A copy of every state slot of every parameter of the model. */
    public static Map<String, StoredTensor> capture(BertModel model, Optimizer optimizer) {
        List<String> slots = slotNames(optimizer);
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            long[] shape = java.util.Arrays.stream(p.shape()).asLongStream().toArray();
            for (int s = 0; s < slots.size(); s++) {
                float[] values = new float[p.size()];
                model.backend().read(model.stateBase(s) + p.offset(), values, 0, p.size());
                out.put(p.name() + "." + slots.get(s), StoredTensor.f32(values, shape));
            }
        }
        return out;
    }

    public static FileBody file(String name, Optimizer optimizer, Map<String, StoredTensor> state) {
        Map<String, String> metadata = metadata(name, optimizer);
        return out -> Safetensors.write(out, state, metadata);
    }

    public static Safetensors.Contents read(FileSystem fs, Path dir) throws IOException {
        Path file = new Path(dir, FILE);
        if (!fs.exists(file)) {
            throw new IOException(dir + ": no " + FILE + " (a weights-only checkpoint cannot resume training)");
        }
        return Safetensors.read(fs, file);
    }

    /**
     * Writes saved state back into the model's slots, bit for bit. Throws, naming {@code source},
     * when the file is for another optimiser or lacks a slot of a parameter.
     */
    public static void restore(
            BertModel model, String name, Optimizer optimizer, Safetensors.Contents saved, Path source)
            throws IOException {
        Map<String, String> expected = metadata(name, optimizer);
        for (String key : List.of("optimizer", "hyperparameters")) {
            String was = saved.metadata().get(key);
            if (!expected.get(key).equals(was)) {
                throw new IOException(source + ": the optimiser state is for " + key + " " + was + ", this run uses "
                        + expected.get(key));
            }
        }
        List<String> slots = slotNames(optimizer);
        for (Parameter p : model.parameters()) {
            for (int s = 0; s < slots.size(); s++) {
                String tensor = p.name() + "." + slots.get(s);
                StoredTensor t = saved.tensors().get(tensor);
                if (t == null || t.dtype() != Safetensors.Dtype.F32 || t.floats().length != p.size()) {
                    throw new IOException(
                            source + ": " + FILE + " has no F32 tensor " + tensor + " of " + p.size() + " values");
                }
                model.backend().write(model.stateBase(s) + p.offset(), t.floats(), 0, p.size());
            }
        }
    }
}
