package org.sparkbert.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.checkpoint.CheckpointStore;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.checkpoint.ResumePoint;
import org.sparkbert.engine.loop.LoopResult;
import org.sparkbert.engine.loop.MetricsFile;
import org.sparkbert.engine.loop.TensorBoardRecorder;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.train.job.ShardedBatches;

/**
 * The end of a successful train run: its counts and final figures in the report, and what lived in
 * the in-progress directory (metrics.jsonl, the TensorBoard files, the checkpoints) moved into the
 * stage's output.
 */
final class RunCompletion {

    private RunCompletion() {}

    static void finish(
            StageReport report,
            TrainArguments a,
            LoopResult result,
            ResumePoint from,
            CheckpointStore store,
            StageOutput out,
            int instanceCount)
            throws IOException {
        report.count("steps", a.steps);
        report.count(
                "tokens", result.steps().stream().mapToLong(s -> s.tokens()).sum());
        report.put("epochs", ShardedBatches.epoch(a.steps, a.batchSize, instanceCount));
        if (result.skippedSteps() > 0) report.count("skipped_non_finite_steps", result.skippedSteps());
        if (from != null) {
            report.put("resumed_from", from.dir().toString());
            report.put("resumed_at_step", from.step());
            String trainedFor = from.state().config().result().get("steps");
            if (trainedFor != null && !trainedFor.equals(Long.toString(a.steps))) {
                // RunResume allowed only a larger --steps
                report.put("extended_from_steps", Long.parseLong(trainedFor));
            }
        }
        Map<String, JsonNode> last = MetricsFile.lastByKind(store.fileSystem(), store.directory());
        if (last.containsKey("")) {
            FinalFigures.put(report, last.get(""), last.get("eval"));
            store.fileSystem()
                    .rename(new Path(store.directory(), MetricsFile.NAME), new Path(out.work(), MetricsFile.NAME));
        }
        Path events = new Path(store.directory(), TensorBoardRecorder.DIRECTORY);
        if (store.fileSystem().exists(events)) {
            store.fileSystem().rename(events, new Path(out.work(), TensorBoardRecorder.DIRECTORY));
        }
        store.moveTo(new Path(out.work(), "checkpoints"));
        report.put("checkpoint", "checkpoints/" + CheckpointWriter.directoryName(a.steps));
        report.endPhase("checkpoint");
    }
}
