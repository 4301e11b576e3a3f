package org.sparkbert.evaluate.glue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The nine GLUE tasks with their files laid out exactly as GLUE's {@code download_glue_data.py}
 * writes them (the layouts Hugging Face's {@code glue.py} processors read, REFERENCE.md section 7):
 * column positions, header lines, label names. MNLI has two dev files and two test files
 * (matched / mismatched); every other task has one of each.
 */
public enum GlueTask {
    COLA(
            "CoLA",
            List.of("0", "1"),
            TsvLayout.headerless(4, 3, 1),
            TsvLayout.headerless(4, 3, 1),
            TsvLayout.withHeader("index\tsentence", 0, 1, -1, -1),
            List.of("dev"),
            List.of("test"),
            List.of("CoLA")),
    SST2(
            "SST-2",
            List.of("0", "1"),
            TsvLayout.withHeader("sentence\tlabel", -1, 0, -1, 1),
            TsvLayout.withHeader("sentence\tlabel", -1, 0, -1, 1),
            TsvLayout.withHeader("index\tsentence", 0, 1, -1, -1),
            List.of("dev"),
            List.of("test"),
            List.of("SST-2")),
    MRPC(
            "MRPC",
            List.of("0", "1"),
            TsvLayout.withHeader("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String", -1, 3, 4, 0),
            TsvLayout.withHeader("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String", -1, 3, 4, 0),
            TsvLayout.withHeader("index\t#1 ID\t#2 ID\t#1 String\t#2 String", 0, 3, 4, -1),
            List.of("dev"),
            List.of("test"),
            List.of("MRPC")),
    STSB(
            "STS-B",
            null,
            TsvLayout.withHeader(Headers.STSB + "\tscore", 0, 7, 8, 9),
            TsvLayout.withHeader(Headers.STSB + "\tscore", 0, 7, 8, 9),
            TsvLayout.withHeader(Headers.STSB, 0, 7, 8, -1),
            List.of("dev"),
            List.of("test"),
            List.of("STS-B")),
    QQP(
            "QQP",
            List.of("0", "1"),
            TsvLayout.withHeader("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate", 0, 3, 4, 5),
            TsvLayout.withHeader("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate", 0, 3, 4, 5),
            TsvLayout.withHeader("id\tquestion1\tquestion2", 0, 1, 2, -1),
            List.of("dev"),
            List.of("test"),
            List.of("QQP")),
    MNLI(
            "MNLI",
            List.of("contradiction", "entailment", "neutral"),
            TsvLayout.withHeader(Headers.MNLI + "\tlabel1\tgold_label", 0, 8, 9, 11),
            TsvLayout.withHeader(Headers.MNLI + "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label", 0, 8, 9, 15),
            TsvLayout.withHeader(Headers.MNLI, 0, 8, 9, -1),
            List.of("dev_matched", "dev_mismatched"),
            List.of("test_matched", "test_mismatched"),
            List.of("MNLI-m", "MNLI-mm")),
    QNLI(
            "QNLI",
            List.of("entailment", "not_entailment"),
            TsvLayout.withHeader("index\tquestion\tsentence\tlabel", 0, 1, 2, 3),
            TsvLayout.withHeader("index\tquestion\tsentence\tlabel", 0, 1, 2, 3),
            TsvLayout.withHeader("index\tquestion\tsentence", 0, 1, 2, -1),
            List.of("dev"),
            List.of("test"),
            List.of("QNLI")),
    RTE(
            "RTE",
            List.of("entailment", "not_entailment"),
            TsvLayout.withHeader("index\tsentence1\tsentence2\tlabel", 0, 1, 2, 3),
            TsvLayout.withHeader("index\tsentence1\tsentence2\tlabel", 0, 1, 2, 3),
            TsvLayout.withHeader("index\tsentence1\tsentence2", 0, 1, 2, -1),
            List.of("dev"),
            List.of("test"),
            List.of("RTE")),
    WNLI(
            "WNLI",
            List.of("0", "1"),
            TsvLayout.withHeader("index\tsentence1\tsentence2\tlabel", 0, 1, 2, 3),
            TsvLayout.withHeader("index\tsentence1\tsentence2\tlabel", 0, 1, 2, 3),
            TsvLayout.withHeader("index\tsentence1\tsentence2", 0, 1, 2, -1),
            List.of("dev"),
            List.of("test"),
            List.of("WNLI"));

    /** Header prefixes shared by several layouts of one task. */
    private static final class Headers {
        static final String STSB = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2";
        static final String MNLI = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse"
                + "\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2";
    }

    private final String displayName;
    private final List<String> labels;
    private final TsvLayout trainLayout;
    private final TsvLayout devLayout;
    private final TsvLayout testLayout;
    private final List<String> devNames;
    private final List<String> testNames;
    private final List<String> submissionNames;

    GlueTask(
            String displayName,
            List<String> labels,
            TsvLayout trainLayout,
            TsvLayout devLayout,
            TsvLayout testLayout,
            List<String> devNames,
            List<String> testNames,
            List<String> submissionNames) {
        this.displayName = displayName;
        this.labels = labels;
        this.trainLayout = trainLayout;
        this.devLayout = devLayout;
        this.testLayout = testLayout;
        this.devNames = devNames;
        this.testNames = testNames;
        this.submissionNames = submissionNames;
    }

    /** The task's name as GLUE spells it (also its directory name): {@code CoLA}, {@code SST-2}, {@code STS-B}, ... */
    public String displayName() {
        return displayName;
    }

    public String directoryName() {
        return displayName;
    }

    /** STS-B predicts a similarity score in [0, 5]; every other task is classification. */
    public boolean isRegression() {
        return labels == null;
    }

    /** Label names in index order: the label index of an example points here. Empty for STS-B. */
    public List<String> labels() {
        return labels == null ? List.of() : labels;
    }

    public int numLabels() {
        return labels().size();
    }

    public GlueSplit train() {
        return new GlueSplit(this, "train", trainLayout, null);
    }

    /** The labelled evaluation files: MNLI's matched then mismatched, else the one dev file. */
    public List<GlueSplit> devSplits() {
        List<GlueSplit> splits = new ArrayList<>();
        for (String name : devNames) {
            splits.add(new GlueSplit(this, name, devLayout, null));
        }
        return splits;
    }

    /** The unlabelled test files, each with the name of its file in a GLUE server submission. */
    public List<GlueSplit> testSplits() {
        List<GlueSplit> splits = new ArrayList<>();
        for (int i = 0; i < testNames.size(); i++) {
            splits.add(new GlueSplit(this, testNames.get(i), testLayout, submissionNames.get(i)));
        }
        return splits;
    }

    /** The split of this task called {@code name} ({@code train}, {@code dev_matched}, {@code test}, ...). */
    public GlueSplit split(String name) {
        if (name.equals("train")) {
            return train();
        }
        List<GlueSplit> all = new ArrayList<>(devSplits());
        all.addAll(testSplits());
        for (GlueSplit split : all) {
            if (split.name().equals(name)) {
                return split;
            }
        }
        throw new IllegalArgumentException("GLUE task " + displayName + " has no split '" + name + "'; it has train, "
                + String.join(", ", devNames) + ", " + String.join(", ", testNames));
    }

    /** The task named {@code name}, ignoring case and dashes: "SST-2", "sst2" and "SST2" all work. */
    public static GlueTask fromName(String name) {
        String wanted = normalized(name);
        for (GlueTask task : values()) {
            if (normalized(task.displayName).equals(wanted)) {
                return task;
            }
        }
        throw new IllegalArgumentException("unknown GLUE task '" + name + "'; the tasks are " + allNames());
    }

    public static String allNames() {
        List<String> names = new ArrayList<>();
        for (GlueTask task : values()) {
            names.add(task.displayName);
        }
        return String.join(", ", names);
    }

    private static String normalized(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return displayName;
    }
}
