package org.sparkbert.train.distributed;

import java.io.Serializable;
import org.sparkbert.train.job.Instance;

/** An instance as it travels between Spark JVMs (the engine's {@link Instance} is not serializable). */
public record InstanceRecord(long id, int[] inputIds, int[] tokenTypeIds, int label) implements Serializable {

    public static InstanceRecord of(Instance i) {
        return new InstanceRecord(i.id(), i.inputIds(), i.tokenTypeIds(), i.label());
    }

    public Instance instance() {
        return new Instance(id, inputIds, tokenTypeIds, label);
    }
}
