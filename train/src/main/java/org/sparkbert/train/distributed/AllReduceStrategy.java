package org.sparkbert.train.distributed;

import java.util.Locale;

/** How gradients are summed across replicas. */
public enum AllReduceStrategy {
    /** One long-lived barrier stage; the replicas sum gradients among themselves with a TCP ring. */
    RING,
    /** The driver holds the model: per step a broadcast of the weights and a treeAggregate of the gradients. */
    TREE;

    public static AllReduceStrategy parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown all-reduce strategy '" + name + "': use ring or tree");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
