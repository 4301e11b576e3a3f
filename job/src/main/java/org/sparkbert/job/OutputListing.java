package org.sparkbert.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The files of a stage's output by relative name, with their sizes. The report records it when the
 * output is committed; a later run trusts the output only if every listed file is still there with
 * its size, which catches an output that a non-atomic directory rename (S3A, GCS) left half copied.
 */
final class OutputListing {
    private OutputListing() {}

    /** Every file under {@code dir}, recursively, but the report itself. */
    static Map<String, Long> of(FileSystem fs, Path dir) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        String root = dir.toUri().getPath();
        String prefix = root.endsWith("/") ? root : root + "/";
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus status = it.next();
            String path = status.getPath().toUri().getPath();
            if (!path.startsWith(prefix)) {
                throw new IOException("Listing " + dir + " returned " + status.getPath() + ", which is not below it.");
            }
            String relative = path.substring(prefix.length());
            if (!relative.equals(StageReport.FILE_NAME)) {
                files.put(relative, status.getLen());
            }
        }
        return files;
    }

    /**
     * What is wrong with {@code dir} against the listing {@code expected} (a JSON object of name to
     * size), or null when every listed file is there with its size. Files the listing does not name
     * are allowed: later tools may add beside a finished output.
     */
    static String mismatch(FileSystem fs, Path dir, JsonNode expected) throws IOException {
        if (!expected.isObject()) {
            return "its " + StageReport.FILE_NAME + " has no file listing";
        }
        Map<String, Long> present = of(fs, dir);
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> file = it.next();
            Long size = present.get(file.getKey());
            if (size == null) {
                return file.getKey() + " is missing";
            }
            if (size != file.getValue().asLong(-1)) {
                return file.getKey() + " has " + size + " bytes where the report lists "
                        + file.getValue().asText();
            }
        }
        return null;
    }
}
