package org.sparkbert.engine.loop;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.tensorboard.EventFile;

/**
 * The run's progress as TensorBoard scalars: each logging interval's means (the same figures as
 * metrics.jsonl) go into an event file in a directory on any Hadoop FileSystem, under the tags
 * {@code train/loss}, {@code train/mlm_loss}, {@code train/mlm_accuracy}, {@code train/<task>_loss}
 * and {@code train/<task>_accuracy} for the sentence task (nsp, sop), {@code train/learning_rate},
 * {@code train/tokens_per_second} and {@code train/masked_unigram_entropy}.
 *
 * <p>A resumed run writes a new file beside the earlier ones, starting at its resume step (see
 * {@link EventFile}), so TensorBoard shows one unbroken curve.
 */
public final class TensorBoardRecorder implements StepListener {
    /** Where the event files go, inside a run's directory. */
    public static final String DIRECTORY = "tensorboard";

    private final RunPlan plan;
    private final String sentenceTask;
    private final URI dir;
    private final IntervalMeter meter;
    private EventFile file;
    private long start;

    /**
     * @param sentenceTask the sentence objective's name (nsp, sop), or null for none
     * @param dir the directory that receives the event files
     */
    public TensorBoardRecorder(RunPlan plan, String sentenceTask, URI dir) {
        this.plan = plan;
        this.sentenceTask = sentenceTask;
        this.dir = dir;
        this.meter = new IntervalMeter(sentenceTask != null);
    }

    @Override
    public void started(long resumedFrom) throws IOException {
        start = System.nanoTime();
        file = EventFile.create(FileSystem.get(dir, new Configuration()), new Path(dir), resumedFrom);
    }

    @Override
    public void step(StepSummary s) throws IOException {
        meter.add(s.metrics());
        if (!plan.logAfter(s.step())) return;
        ProgressRecord r = meter.close(
                s.step(), plan.steps(), s.learningRate(), (System.nanoTime() - start) / 1e9, s.maskedTokenEntropy());
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("train/loss", r.loss());
        scalars.put("train/mlm_loss", r.mlmLoss());
        scalars.put("train/mlm_accuracy", r.mlmAccuracy());
        if (sentenceTask != null) {
            scalars.put("train/" + sentenceTask + "_loss", r.sentenceLoss());
            scalars.put("train/" + sentenceTask + "_accuracy", r.sentenceAccuracy());
        }
        scalars.put("train/learning_rate", r.learningRate());
        scalars.put("train/tokens_per_second", r.tokensPerSecond());
        if (!Double.isNaN(r.maskedTokenEntropy())) scalars.put("train/masked_unigram_entropy", r.maskedTokenEntropy());
        file.scalars(s.step(), scalars);
    }

    /** The held-out figures at their step, beside both count baselines (flat lines the loss should cross). */
    @Override
    public void evaluated(HeldOutRecord r) throws IOException {
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("heldout/mlm_loss", r.mlmLoss());
        scalars.put("heldout/mlm_accuracy", r.mlmAccuracy());
        scalars.put("heldout/unigram_nats", r.unigramNats());
        scalars.put("heldout/two_neighbour_nats", r.twoNeighbourNats());
        file.scalars(r.step(), scalars);
    }

    @Override
    public void close() throws IOException {
        if (file != null) file.close();
    }
}
