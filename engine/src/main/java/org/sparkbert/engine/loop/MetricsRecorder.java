package org.sparkbert.engine.loop;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's view of a run's progress: sums each logging interval of steps into a
 * {@link ProgressRecord}, logs it as the progress line and appends it to metrics.jsonl in a
 * directory on any Hadoop FileSystem (none: log only).
 */
public final class MetricsRecorder implements StepListener {
    private static final Logger log = LoggerFactory.getLogger(MetricsRecorder.class);

    private final RunPlan plan;
    private final String who;
    private final String sentenceTask;
    private final URI dir;
    private final IntervalMeter meter;
    private MetricsFile file;
    private long start;

    /**
     * @param who how the progress line names the run, e.g. "train" or "train (ring, 4 replicas)"
     * @param sentenceTask the sentence objective's name (nsp, sop), or null for none
     * @param dir where metrics.jsonl goes, or null to log only
     */
    public MetricsRecorder(RunPlan plan, String who, String sentenceTask, URI dir) {
        this.plan = plan;
        this.who = who;
        this.sentenceTask = sentenceTask;
        this.dir = dir;
        this.meter = new IntervalMeter(sentenceTask != null);
    }

    @Override
    public void started(long resumedFrom) throws IOException {
        start = System.nanoTime();
        if (dir != null) {
            file = MetricsFile.continuing(FileSystem.get(dir, new Configuration()), new Path(dir), resumedFrom);
            log.info("{}: metrics.jsonl is written as the run goes, in {}", who, dir);
        }
    }

    @Override
    public void step(StepSummary s) throws IOException {
        meter.add(s.metrics());
        if (s.skipped()) {
            log.warn("{}: step {} skipped: loss {} or its gradient norm is not finite", who, s.step(), s.loss());
        }
        if (!plan.logAfter(s.step())) return;
        ProgressRecord record = meter.close(
                s.step(), plan.steps(), s.learningRate(), (System.nanoTime() - start) / 1e9, s.maskedTokenEntropy());
        if (file != null) file.append(record);
        String reduce = Double.isNaN(s.allReduceSeconds()) || s.seconds() <= 0
                ? ""
                : String.format(
                        java.util.Locale.ROOT,
                        " | all-reduce %.1f%% of the step",
                        100 * s.allReduceSeconds() / s.seconds());
        log.info("{} {}{}", who, record.toLogLine(sentenceTask == null ? "" : sentenceTask), reduce);
    }

    @Override
    public void evaluated(HeldOutRecord record) throws IOException {
        if (file != null) file.append(record);
        log.info("{} {}", who, record.toLogLine());
    }

    @Override
    public void close() throws IOException {
        if (file != null) file.close();
    }
}
