package org.sparkbert.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.loop.Trainer;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.optim.Optimizer;

/** Training K steps, saving, restoring into a fresh model and training K more equals training 2K steps, bit for bit. */
class ResumeTest {

    private static final int K = 3;

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void resumedTrainingIsBitIdenticalToUninterruptedTraining() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Optimizer adamw = Optimizer.named("adamw", 0.01f);
        float[] uninterrupted;
        try (BertModel model = TrainingStates.model(adamw, 17)) {
            TrainingStates.trainUntil(TrainingStates.trainer(model, adamw, 2 * K), 2 * K);
            uninterrupted = TrainingStates.weightsAndMoments(model, adamw);
        }

        CheckpointStore store =
                new CheckpointStore(fs, new Path(tmp.resolve("checkpoints").toUri()), 2);
        float[] atK;
        try (BertModel model = TrainingStates.model(adamw, 17)) {
            TrainingStates.trainUntil(TrainingStates.trainer(model, adamw, 2 * K), K);
            atK = TrainingStates.weightsAndMoments(model, adamw);
            store.save(K, TrainingSnapshot.capture(model, "adamw", adamw, TrainingStates.state(K), 0, vocabulary()));
        }
        float[] resumed;
        // Another initialisation: everything must come from the checkpoint.
        try (BertModel model = TrainingStates.model(adamw, 18)) {
            ResumePoint from = store.latest().orElseThrow();
            assertEquals(K, from.step());
            assertEquals(TrainingStates.state(K), from.state());
            from.restoreInto(model, "adamw", adamw);
            assertArrayEquals(atK, TrainingStates.weightsAndMoments(model, adamw), "restored bit for bit");
            Trainer trainer = TrainingStates.trainer(model, adamw, 2 * K);
            trainer.resumeAt(from.step());
            TrainingStates.trainUntil(trainer, 2 * K);
            resumed = TrainingStates.weightsAndMoments(model, adamw);
        }
        assertFalse(Arrays.equals(atK, uninterrupted), "training moved the weights");
        assertArrayEquals(uninterrupted, resumed, "2K steps against K, checkpoint, K");
    }

    @Test
    void everyOptimizersStateSlotsRoundTrip() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        for (String name : List.of("adamw", "lamb", "sgd", "nesterov", "adagrad", "adadelta")) {
            Optimizer optimizer = Optimizer.named(name, 0.01f);
            CheckpointStore store =
                    new CheckpointStore(fs, new Path(tmp.resolve(name).toUri()), 1);
            float[] saved;
            try (BertModel model = TrainingStates.model(optimizer, 5)) {
                TrainingStates.trainUntil(TrainingStates.trainer(model, optimizer, 10), 2);
                saved = TrainingStates.weightsAndMoments(model, optimizer);
                store.save(
                        2, TrainingSnapshot.capture(model, name, optimizer, TrainingStates.state(2), 0, vocabulary()));
            }
            int n = saved.length / (1 + optimizer.stateSlots());
            assertTrue(nonZero(Arrays.copyOfRange(saved, n, 2 * n)), name + ": the first slot holds state");
            try (BertModel model = TrainingStates.model(optimizer, 6)) {
                store.latest().orElseThrow().restoreInto(model, name, optimizer);
                assertArrayEquals(saved, TrainingStates.weightsAndMoments(model, optimizer), name);
                if (!name.equals("adamw")) {
                    Optimizer other = Optimizer.named("adamw", 0.01f);
                    java.io.IOException wrong = assertThrows(
                            java.io.IOException.class,
                            () -> store.latest().orElseThrow().restoreInto(model, "adamw", other));
                    assertTrue(wrong.getMessage().contains("optimizer " + name), wrong.getMessage());
                }
            }
        }
    }

    private static boolean nonZero(float[] values) {
        for (float v : values) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }

    private Path vocabulary() throws java.io.IOException {
        java.nio.file.Path dir = tmp.resolve("vocab");
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n");
        }
        return new Path(dir.toUri().toString());
    }
}
