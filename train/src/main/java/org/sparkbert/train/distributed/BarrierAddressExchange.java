package org.sparkbert.train.distributed;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.sparkbert.engine.collective.AddressExchange;
import org.sparkbert.engine.collective.PeerAddress;

/**
 * Address exchange inside a Spark barrier stage: the rank is the task's partition, the host is the
 * one Spark knows the task's executor by, and the all-gather is {@link
 * BarrierTaskContext#allGather(String)}. Its wait is bounded by {@code spark.barrier.sync.timeout}.
 * The only class of this package that touches Spark.
 */
public final class BarrierAddressExchange implements AddressExchange {
    private final BarrierTaskContext context;

    public BarrierAddressExchange(BarrierTaskContext context) {
        this.context = context;
    }

    @Override
    public int rank() {
        return context.partitionId();
    }

    @Override
    public int size() {
        return context.getTaskInfos().length;
    }

    /** Task infos carry the executor's "host:port"; the host is what its peers can reach. */
    @Override
    public String advertisedHost() {
        String address = context.getTaskInfos()[context.partitionId()].address();
        try {
            return PeerAddress.parse(address).host();
        } catch (IllegalArgumentException noPort) {
            return address;
        }
    }

    @Override
    public List<PeerAddress> allGather(PeerAddress mine) {
        List<PeerAddress> all = new ArrayList<>();
        for (String address : context.allGather(mine.toString())) {
            all.add(PeerAddress.parse(address));
        }
        return all;
    }
}
