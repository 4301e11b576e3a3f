package org.sparkbert.ingest.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.sparkbert.job.UsageException;

/**
 * Expands the {@code --input} arguments (files, globs, directories: every file below them) into the
 * sorted list of input files. Hidden files ({@code .x}, {@code _x}) below a directory are skipped, as
 * Hadoop's own input formats do; a path or glob that matches nothing is an error naming it.
 */
public final class InputFiles {
    private InputFiles() {}

    public static List<InputFile> expand(List<String> inputs, Configuration conf) {
        TreeMap<String, Long> found = new TreeMap<>();
        for (String input : inputs) {
            if (!expandOne(input, conf, found)) {
                throw new UsageException("Input path " + input + " does not exist (or the glob matches nothing).");
            }
        }
        if (found.isEmpty()) {
            throw new UsageException("The inputs " + inputs + " hold no files.");
        }
        List<InputFile> files = new ArrayList<>();
        found.forEach((path, size) -> files.add(new InputFile(path, size, files.size())));
        return files;
    }

    private static boolean expandOne(String input, Configuration conf, TreeMap<String, Long> found) {
        try {
            Path pattern = new Path(input);
            FileSystem fs = pattern.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(pattern);
            if (matches == null || matches.length == 0) {
                return false;
            }
            for (FileStatus match : matches) {
                if (match.isDirectory()) {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(match.getPath(), true);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (!isHiddenBelow(match.getPath(), f.getPath())) {
                            found.put(fs.makeQualified(f.getPath()).toString(), f.getLen());
                        }
                    }
                } else {
                    found.put(fs.makeQualified(match.getPath()).toString(), match.getLen());
                }
            }
            return true;
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("Cannot read input path " + input + ": " + e.getMessage());
        }
    }

    private static boolean isHiddenBelow(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
            String name = p.getName();
            if (name.startsWith(".") || name.startsWith("_")) {
                return true;
            }
        }
        return false;
    }
}
