package org.sparkbert.train;

import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.checkpoint.CheckpointStore;
import org.sparkbert.engine.loop.MetricsRecorder;
import org.sparkbert.engine.loop.RunPlan;
import org.sparkbert.engine.loop.StepListener;
import org.sparkbert.engine.loop.TensorBoardRecorder;
import org.sparkbert.train.distributed.StepListeners;

/**
 * What the writing replica records as the run goes, in the in-progress directory beside the
 * checkpoints (so it survives a crash and is readable while the run trains): metrics.jsonl and the
 * TensorBoard event files. Serialisable into the ring's tasks: it carries the directory as text.
 */
final class RunListeners {

    private RunListeners() {}

    /** sentenceTask: the sentence objective's name, or null for none. */
    static StepListeners of(RunPlan plan, String sentenceTask, CheckpointStore store) {
        String metricsDir = store.directory().toUri().toString();
        String eventsDir = new Path(store.directory(), TensorBoardRecorder.DIRECTORY)
                .toUri()
                .toString();
        return who -> StepListener.all(
                new MetricsRecorder(plan, who, sentenceTask, URI.create(metricsDir)),
                new TensorBoardRecorder(plan, sentenceTask, URI.create(eventsDir)));
    }
}
