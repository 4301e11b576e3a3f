package org.sparkbert.engine.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.tensorboard.PythonEventReader;

/**
 * The TensorBoard event files of a run, read back by an independent reader
 * ({@link PythonEventReader}: its own TFRecord and CRC32C parsing, Debian's protobuf runtime).
 */
class TensorBoardRecorderTest {

    /** Steps whose figures are exact in float: step s has loss 8 - s/2, and so on. */
    private static StepSummary step(long s) {
        return new StepSummary(
                s,
                8 - s / 2.0,
                7 - s / 2.0,
                s / 16.0,
                1 - s / 8.0,
                s / 8.0,
                s / 1024.0,
                100 * s,
                (int) s,
                0.5,
                Double.NaN,
                4 + s / 4.0,
                false);
    }

    /**
     * Six steps logged every two: the file opens with TensorFlow's format version and a session
     * start at step 0, then one event per interval at its last step with the interval's means (MLM
     * accuracy weighted by each step's predictions), the last learning rate and entropy.
     */
    @Test
    void eachLoggingIntervalBecomesOneEventOfScalars(@TempDir Path dir) throws Exception {
        try (TensorBoardRecorder recorder = new TensorBoardRecorder(new RunPlan(6, 2, 0), "sop", dir.toUri())) {
            recorder.started(0);
            for (long s = 1; s <= 6; s++) recorder.step(step(s));
        }
        List<JsonNode> events = PythonEventReader.read(dir);
        assertEquals(5, events.size(), events.toString());
        assertEquals("brain.Event:2", events.get(0).path("file_version").asText());
        assertEquals("START", events.get(1).path("session_log").asText());
        assertEquals(0, events.get(1).path("step").asLong());
        for (int i = 0; i < 3; i++) {
            JsonNode e = events.get(2 + i);
            long a = 2L * i + 1, b = a + 1;
            assertEquals(b, e.path("step").asLong());
            assertTrue(
                    Math.abs(e.path("wall_time").asDouble() - System.currentTimeMillis() / 1e3) < 3600, e.toString());
            JsonNode v = e.path("scalars");
            assertEquals(
                    List.of(
                            "train/loss",
                            "train/mlm_loss",
                            "train/mlm_accuracy",
                            "train/sop_loss",
                            "train/sop_accuracy",
                            "train/learning_rate",
                            "train/tokens_per_second",
                            "train/masked_unigram_entropy"),
                    names(v));
            assertEquals(
                    (float) ((step(a).loss() + step(b).loss()) / 2),
                    v.path("train/loss").floatValue());
            assertEquals(
                    (float) ((step(a).mlmLoss() + step(b).mlmLoss()) / 2),
                    v.path("train/mlm_loss").floatValue());
            assertEquals(
                    (float) ((a * a / 16.0 + b * b / 16.0) / (a + b)),
                    v.path("train/mlm_accuracy").floatValue());
            assertEquals(
                    (float) ((step(a).sentenceLoss() + step(b).sentenceLoss()) / 2),
                    v.path("train/sop_loss").floatValue());
            assertEquals((float) ((a + b) / 16.0), v.path("train/sop_accuracy").floatValue());
            assertEquals((float) (b / 1024.0), v.path("train/learning_rate").floatValue());
            assertEquals(
                    (float) (4 + b / 4.0),
                    v.path("train/masked_unigram_entropy").floatValue());
            assertTrue(v.path("train/tokens_per_second").floatValue() > 0);
        }
    }

    /**
     * A run resumed from step 2 writes a second file, read after the first, that opens with a
     * session start at step 2: TensorBoard drops the first file's events after step 2 (logged by the
     * crashed attempt) and shows the resumed run's from there on. An MLM-only run has no sentence tags.
     */
    @Test
    void aResumedRunStartsANewFileAtItsResumeStep(@TempDir Path dir) throws Exception {
        RunPlan plan = new RunPlan(6, 2, 0);
        try (TensorBoardRecorder first = new TensorBoardRecorder(plan, null, dir.toUri())) {
            first.started(0);
            for (long s = 1; s <= 4; s++) first.step(step(s));
        }
        try (TensorBoardRecorder resumed = new TensorBoardRecorder(plan, null, dir.toUri())) {
            resumed.started(2);
            for (long s = 3; s <= 6; s++) resumed.step(step(s + 10)); // other figures than the first attempt's
        }
        List<JsonNode> events = PythonEventReader.read(dir);
        List<String> seen = new ArrayList<>();
        for (JsonNode e : events) {
            seen.add(
                    e.has("scalars")
                            ? "scalars@" + e.path("step").asLong()
                            : e.has("session_log") ? "start@" + e.path("step").asLong() : "version");
        }
        assertEquals(
                List.of(
                        "version",
                        "start@0",
                        "scalars@2",
                        "scalars@4",
                        "version",
                        "start@2",
                        "scalars@14",
                        "scalars@16"),
                seen);
        assertNotEquals(
                events.get(0).path("file").asText(), events.get(4).path("file").asText());
        assertTrue(events.get(4).path("file").asText().startsWith("events.out.tfevents."));
        assertEquals(
                List.of(
                        "train/loss",
                        "train/mlm_loss",
                        "train/mlm_accuracy",
                        "train/learning_rate",
                        "train/tokens_per_second",
                        "train/masked_unigram_entropy"),
                names(events.get(7).path("scalars")));
        assertEquals(
                (float) ((step(15).loss() + step(16).loss()) / 2),
                events.get(7).path("scalars").path("train/loss").floatValue());
    }

    /** Combined listeners each see every step, and closing closes all of them though the first fails. */
    @Test
    void combinedListenersAllSeeTheStepsAndAllClose() throws Exception {
        List<String> seen = new ArrayList<>();
        StepListener failing = new StepListener() {
            @Override
            public void step(StepSummary s) {
                seen.add("a" + s.step());
            }

            @Override
            public void close() throws IOException {
                throw new IOException("a cannot close");
            }
        };
        StepListener other = new StepListener() {
            @Override
            public void step(StepSummary s) {
                seen.add("b" + s.step());
            }

            @Override
            public void close() {
                seen.add("b closed");
            }
        };
        StepListener both = StepListener.all(failing, other);
        both.step(step(1));
        IOException e = assertThrows(IOException.class, both::close);
        assertEquals("a cannot close", e.getMessage());
        assertEquals(List.of("a1", "b1", "b closed"), seen);
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
