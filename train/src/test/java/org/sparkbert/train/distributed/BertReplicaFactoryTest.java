package org.sparkbert.train.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.loop.BertReplica;
import org.sparkbert.train.distributed.ReplicaFactory.Indexed;
import org.sparkbert.train.job.Instance;

/** The BERT factory as Spark ships it: serialised, and giving every replica its own shards. */
class BertReplicaFactoryTest {

    @Test
    void survivesJavaSerialisationWithTheSameModel() throws Exception {
        TinyBert bert = new TinyBert();
        BertReplicaFactory factory = bert.factory(8, 2, 20);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(factory);
        }
        BertReplicaFactory copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (BertReplicaFactory) in.readObject();
        }
        assertEquals(bert.config, copy.config());
        assertEquals(factory.options(), copy.options());
        try (BertReplica a = factory.open(-1, 2, List.of());
                BertReplica b = copy.open(-1, 2, List.of())) {
            assertArrayEquals(a.weights(), b.weights(), "the same initial weights from the seed");
        }
    }

    @Test
    void replicaROwnsTheShardsOfItsGlobalMicroBatches() throws Exception {
        BertReplicaFactory factory = new TinyBert().factory(8, 2, 20);
        // global batch 8, 2 replicas: shards 0-3 on replica 0, shards 4-7 on replica 1; shard = index mod 8
        int[] expected = {0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], factory.replicaOf(i, 2), "instance " + i);
            assertEquals(0, factory.replicaOf(i, 1));
        }
    }

    @Test
    void aReplicaTrainsOnItsOwnRecords() throws Exception {
        TinyBert bert = new TinyBert();
        BertReplicaFactory factory = bert.factory(8, 1, 20);
        List<Indexed<Instance>> mine = new ArrayList<>();
        List<Instance> all = bert.instances(24, 5);
        for (int i = 0; i < all.size(); i++) {
            if (factory.replicaOf(i, 2) == 1) mine.add(new Indexed<>(i, all.get(i)));
        }
        try (BertReplica replica = factory.open(1, 2, mine)) {
            float[] statistics = replica.statistics(0);
            assertEquals(4, statistics[1], "4 sequences: replica 1's half of the global batch of 8");
        }
    }
}
