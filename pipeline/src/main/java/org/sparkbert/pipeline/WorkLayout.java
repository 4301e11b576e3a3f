package org.sparkbert.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.UsageException;

/**
 * The pipeline's work directory: one subdirectory per stage, named after the stage. Before anything
 * runs, {@link #check} refuses a directory that holds something else, so that a mistyped --work never
 * mixes the pipeline's outputs into an unrelated folder.
 */
public final class WorkLayout {
    public static final String INGEST = "ingest";
    public static final String VOCAB = "vocab";
    public static final String INSTANCES = "instances";
    public static final String TRAIN = "train";
    public static final String GLUE = "glue";
    public static final String REPORT = "report";
    /** The stage that wrote each subdirectory's _REPORT.json (the report directory holds the pipeline's own). */
    private static final List<String[]> OWNERS = List.of(
            new String[] {INGEST, "ingest"},
            new String[] {VOCAB, "vocab"},
            new String[] {INSTANCES, "instances"},
            new String[] {TRAIN, "train"},
            new String[] {GLUE, "evaluate-glue"},
            new String[] {REPORT, "pipeline"});

    private static final Set<String> NAMES = Set.of(INGEST, VOCAB, INSTANCES, TRAIN, GLUE, REPORT);

    private final Path root;

    public WorkLayout(String work) {
        this.root = new Path(work);
    }

    public Path root() {
        return root;
    }

    public String dir(String name) {
        return new Path(root, name).toString();
    }

    /**
     * Perplexity goes beside the run it scores, where the report looks for every perplexity.json. The
     * train stage reads only its own _REPORT.json to recognise its output, so this does not disturb it.
     */
    public String perplexity() {
        return new Path(new Path(root, TRAIN), "perplexity").toString();
    }

    /**
     * Accepts an absent or empty directory, or one holding only the pipeline's stage directories (and
     * the hidden work directories of interrupted stages). A stage directory that is not that stage's
     * complete output is refused unless {@code overwrite}: the stage would refuse it later anyway,
     * after the stages before it had run.
     */
    public void check(Configuration conf, boolean overwrite) {
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                return;
            }
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new UsageException(
                        "--work " + root + " is a file; give a directory (new, empty, or an earlier pipeline's).");
            }
            List<String> foreign = new ArrayList<>();
            for (FileStatus entry : fs.listStatus(root)) {
                String name = entry.getPath().getName();
                if (!NAMES.contains(name) && !isInterruptedStage(name)) {
                    foreign.add(name);
                }
            }
            if (!foreign.isEmpty()) {
                throw new UsageException(
                        "--work " + root + " holds " + foreign + ", which no pipeline stage wrote. Give a new or"
                                + " empty directory, or one an earlier pipeline run used.");
            }
            if (!overwrite) {
                for (String[] owner : OWNERS) {
                    checkStageDirectory(fs, new Path(root, owner[0]), owner[1]);
                }
            }
        } catch (IOException e) {
            throw new UsageException("Cannot inspect --work " + root + ": " + e.getMessage());
        }
    }

    private static boolean isInterruptedStage(String name) {
        int cut = name.indexOf(".inprogress-");
        return name.startsWith(".") && cut > 1 && NAMES.contains(name.substring(1, cut));
    }

    private static void checkStageDirectory(FileSystem fs, Path dir, String stage) throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        var report = StageOutput.readReport(fs, dir);
        if (report == null
                || !report.path("complete").asBoolean(false)
                || !stage.equals(report.path("stage").asText())) {
            throw new UsageException(
                    dir + " is not a complete output of the " + stage + " stage (no _REPORT.json of a finished " + stage
                            + " run). Remove it, give another --work, or pass --overwrite to replace it.");
        }
    }
}
