package org.sparkbert.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sparkbert.evaluate.EvaluateJob;
import org.sparkbert.ingest.IngestJob;
import org.sparkbert.job.ProjectVersion;
import org.sparkbert.job.StageCommand;
import org.sparkbert.tokenize.EncodeCommand;
import org.sparkbert.tokenize.instances.InstancesJob;
import org.sparkbert.tokenize.vocab.VocabJob;
import org.sparkbert.train.TrainJob;

/** Every stage's --help prints without picocli's warnings (an unescaped % in a description), and --version prints the version. */
class StageHelpAndVersionTest {
    private record Output(int code, String out, String err) {}

    private static final Map<String, Function<String, Integer>> STAGES = new LinkedHashMap<>();

    static {
        STAGES.put("ingest", option -> StageCommand.execute(new IngestJob(), option));
        STAGES.put("vocab", option -> StageCommand.execute(new VocabJob(), option));
        STAGES.put("encode", option -> EncodeCommand.execute(option));
        STAGES.put("instances", option -> StageCommand.execute(new InstancesJob(), option));
        STAGES.put("train", option -> StageCommand.execute(new TrainJob(), option));
        STAGES.put("evaluate", option -> EvaluateJob.execute(option));
        STAGES.put("evaluate perplexity", option -> EvaluateJob.execute("perplexity", option));
        STAGES.put("evaluate glue", option -> EvaluateJob.execute("glue", option));
        STAGES.put("evaluate report", option -> EvaluateJob.execute("report", option));
        STAGES.put("pipeline", option -> StageCommand.execute(new PipelineJob(), option));
    }

    private static Output capture(Function<String, Integer> stage, String option) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = stage.apply(option);
            return new Output(
                    code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void everyStagesHelpPrintsWithoutWarnings() {
        STAGES.forEach((name, stage) -> {
            Output help = capture(stage, "--help");
            assertEquals(0, help.code(), name);
            assertTrue(help.out().contains("Usage:"), name + ": " + help.out());
            assertEquals("", help.err(), name + " --help writes to standard error");
        });
    }

    @Test
    void everyStagePrintsTheVersion() {
        String expected = ProjectVersion.line();
        assertTrue(
                expected.matches(
                        "sparkbert \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Spark 4\\.1\\.\\d+, Scala 2\\.13\\.\\d+, Java .+\\)"),
                expected);
        STAGES.forEach((name, stage) -> {
            Output version = capture(stage, "--version");
            assertEquals(0, version.code(), name);
            assertEquals(expected, version.out().strip(), name);
        });
    }
}
