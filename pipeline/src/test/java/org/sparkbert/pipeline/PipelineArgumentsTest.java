package org.sparkbert.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments and settings stop the pipeline with exit code 2, a message naming the problem, and nothing written. */
class PipelineArgumentsTest {
    private static final String SAMPLE = Path.of(System.getProperty("sparkbert.project.root"), "sample", "c4")
            .toString();

    @TempDir
    Path dir;

    private PipelineJobTest.Console refused(Path work, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--work",
                work.toString(),
                "--master",
                "local[2]",
                "--conf",
                "pipeline.glue.data=" + Path.of(SAMPLE).resolveSibling("glue")));
        args.addAll(List.of(extra));
        if (!args.contains("--input")) {
            args.addAll(List.of("--input", SAMPLE));
        }
        int[] code = new int[1];
        PipelineJobTest.Console console =
                PipelineJobTest.Console.capture(() -> code[0] = PipelineJob.execute(args.toArray(new String[0])));
        assertEquals(2, code[0], "exit code; stderr: " + console.err());
        return console;
    }

    private void refusedWithNothingWritten(String expectedMessage, String... extra) {
        Path work = dir.resolve("work");
        PipelineJobTest.Console console = refused(work, extra);
        assertTrue(console.err().contains(expectedMessage), "expected '" + expectedMessage + "' in: " + console.err());
        assertFalse(Files.exists(work), "nothing may be written");
    }

    @Test
    void missingInput() {
        refusedWithNothingWritten(
                "Input path " + dir.resolve("no-such-shards") + " does not exist",
                "--input",
                dir.resolve("no-such-shards").toString());
    }

    @Test
    void unknownSettingIsNamedWithTheNearestKey() {
        refusedWithNothingWritten(
                "Unknown setting 'pipeline.vocab.sise' in --conf. Did you mean 'pipeline.vocab.size'?",
                "--conf",
                "pipeline.vocab.sise=100");
    }

    @Test
    void unknownSettingOfAStageIsRefusedBeforeAnyStageRuns() {
        refusedWithNothingWritten(
                "Did you mean 'instances.packing_group_documents'?", "--conf", "instances.packing_group_document=8");
    }

    @Test
    void wronglyTypedSetting() {
        refusedWithNothingWritten(
                "Setting 'pipeline.vocab.size' in --conf must be integer", "--conf", "pipeline.vocab.size=big");
    }

    @Test
    void wronglyTypedOption() {
        refusedWithNothingWritten("--budget-minutes", "--budget-minutes", "soon");
    }

    @Test
    void settingOutOfRange() {
        refusedWithNothingWritten(
                "'pipeline.train.budget_share' must lie in (0, 1]", "--conf", "pipeline.train.budget_share=1.5");
    }

    @Test
    void unknownModel() {
        refusedWithNothingWritten("--model bert-enormous", "--model", "bert-enormous");
    }

    @Test
    void missingGlueData() {
        refusedWithNothingWritten(
                "GLUE data directory '" + dir.resolve("glue") + "' (setting pipeline.glue.data) does not exist",
                "--conf",
                "pipeline.glue.data=" + dir.resolve("glue"));
    }

    @Test
    void replicasThatDoNotDivideTheBatch() {
        refusedWithNothingWritten("must be at least 1 and divide pipeline.train.batch_size", "--replicas", "3");
    }

    @Test
    void workDirectoryHoldingSomethingElse() throws IOException {
        Path work = Files.createDirectories(dir.resolve("my-documents"));
        Files.writeString(work.resolve("thesis.txt"), "keep me");
        PipelineJobTest.Console console = refused(work);
        assertTrue(console.err().contains("holds [thesis.txt], which no pipeline stage wrote"), console.err());
        assertEquals(List.of(work.resolve("thesis.txt")), listing(work));
    }

    @Test
    void stageDirectoryThatIsNotThatStagesOutput() throws IOException {
        Path work = dir.resolve("work");
        Path train = Files.createDirectories(work.resolve("train"));
        Files.writeString(train.resolve("notes.txt"), "not a run");
        PipelineJobTest.Console console = refused(work);
        assertTrue(console.err().contains("is not a complete output of the train stage"), console.err());
        assertEquals(List.of(train, train.resolve("notes.txt")), listing(work));
    }

    private static List<Path> listing(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> !p.equals(root)).sorted().toList();
        }
    }
}
