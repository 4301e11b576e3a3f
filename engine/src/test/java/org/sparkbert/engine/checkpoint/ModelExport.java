package org.sparkbert.engine.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.Parameter;

/** The engine's model as a checkpoint stores it: its tensors by their Hugging Face names. */
public final class ModelExport {

    private ModelExport() {}

    public static Map<String, StoredTensor> tensors(BertModel model) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            long[] shape = java.util.Arrays.stream(p.shape()).asLongStream().toArray();
            out.put(p.name(), StoredTensor.f32(model.read(p), shape));
        }
        return out;
    }
}
