package org.sparkbert.ml;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.broadcast.Broadcast;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.perplexity.ModelWeights;

/**
 * The engine models of one executor JVM, built from a broadcast checkpoint the first time a task
 * needs one and handed from task to task afterwards: laying out a model and copying its weights in
 * costs far more than a partition's batches. A model serves one task at a time, so an executor
 * running k tasks at once holds k models of a shape; they live as long as the executor.
 */
final class ExecutorModels {
    /** What makes two models interchangeable: the same broadcast weights laid out the same way. */
    record Shape(long broadcastId, int batchSize, int seqLength, int threads) implements java.io.Serializable {}

    private static final Map<Shape, ConcurrentLinkedDeque<BertModel>> IDLE = new ConcurrentHashMap<>();
    private static final Map<Shape, AtomicInteger> BUILT = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    /** An idle model of this shape, or a new one (dropout off, room for one prediction per row). */
    static BertModel borrow(Broadcast<ModelWeights> weights, Shape shape) {
        BertModel idle =
                IDLE.computeIfAbsent(shape, s -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (idle != null) {
            return idle;
        }
        BUILT.computeIfAbsent(shape, s -> new AtomicInteger()).incrementAndGet();
        ModelWeights w = weights.value();
        ModelConfig config = w.config().withDropout(0f, 0f);
        return w.newModel(
                config, shape.threads(), shape.batchSize(), shape.seqLength(), shape.batchSize(), 0, 0L, name -> false);
    }

    static void giveBack(Shape shape, BertModel model) {
        IDLE.get(shape).addFirst(model);
    }

    /** How many models this JVM has laid out, all shapes together (for tests). */
    static int built() {
        return BUILT.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
