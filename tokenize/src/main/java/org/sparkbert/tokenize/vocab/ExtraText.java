package org.sparkbert.tokenize.vocab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkbert.job.UsageException;

/**
 * vocab --extra-input: unlabelled text counted with the corpus for the vocabulary only, so words of
 * a target domain (e.g. GLUE's training sentences) stay whole pieces. A plain file gives one text per
 * line. A GLUE-style .tsv gives only its text columns, found by the header's names, so labels and
 * ids never reach the counts.
 */
final class ExtraText {
    /** The columns that hold text in the GLUE tasks' train.tsv files. */
    static final Set<String> TEXT_COLUMNS = Set.of(
            "sentence",
            "sentence1",
            "sentence2",
            "question",
            "question1",
            "question2",
            "premise",
            "hypothesis",
            "#1 String",
            "#2 String");

    private ExtraText() {}

    /** Checks every path before Spark reads any: each must exist, and a .tsv must name a text column. */
    static void check(List<String> paths, Configuration conf) {
        for (String p : paths) {
            if (p.endsWith(".tsv")) {
                textColumns(p, conf);
            } else {
                try {
                    Path path = new Path(p);
                    if (!path.getFileSystem(conf).exists(path))
                        throw new UsageException("--extra-input " + p + " does not exist.");
                } catch (IOException e) {
                    throw new UsageException("--extra-input " + p + ": " + e.getMessage());
                }
            }
        }
    }

    /** The non-empty texts of every path. */
    static JavaRDD<String> read(JavaSparkContext jsc, List<String> paths) {
        List<JavaRDD<String>> parts = new ArrayList<>();
        for (String p : paths) {
            JavaRDD<String> lines = jsc.textFile(p);
            if (p.endsWith(".tsv")) {
                int[] columns = textColumns(p, jsc.hadoopConfiguration());
                String header = lines.first();
                lines = lines.filter(line -> !line.equals(header)).flatMap(line -> {
                    String[] fields = line.split("\t", -1);
                    List<String> texts = new ArrayList<>(columns.length);
                    for (int c : columns) if (c < fields.length) texts.add(fields[c]);
                    return texts.iterator();
                });
            }
            parts.add(lines);
        }
        JavaRDD<String> all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) all = all.union(parts.get(i));
        return all.filter(t -> !t.isBlank());
    }

    /** The indices of a .tsv file's text columns, from its header line. */
    static int[] textColumns(String tsv, Configuration conf) {
        Path path = new Path(tsv);
        String header;
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) throw new UsageException("--extra-input " + tsv + " does not exist.");
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(path), StandardCharsets.UTF_8))) {
                header = in.readLine();
            }
        } catch (IOException e) {
            throw new UsageException("--extra-input " + tsv + ": " + e.getMessage());
        }
        String[] names = header == null ? new String[0] : header.split("\t", -1);
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < names.length; i++) if (TEXT_COLUMNS.contains(names[i].strip())) found.add(i);
        if (found.isEmpty()) {
            throw new UsageException(
                    "--extra-input " + tsv + ": its header names no text column (one of " + TEXT_COLUMNS
                            + "); give a .tsv with a header as GLUE lays it out, or a plain file with one text per line.");
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }
}
