package org.sparkbert.train.distributed;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;

/**
 * Where the replicas' records go on reliable storage (DurableRecords): the session's checkpoint
 * directory, or, when it has none, a hidden sibling of the run that is deleted when training ends.
 */
public final class RecordsDirectory implements AutoCloseable {
    private final FileSystem fs;
    private final Path created;

    private RecordsDirectory(FileSystem fs, Path created) {
        this.fs = fs;
        this.created = created;
    }

    public static RecordsDirectory beside(SparkContext sc, Path run, FileSystem fs) {
        if (!sc.getCheckpointDir().isEmpty()) return new RecordsDirectory(fs, null);
        Path records = new Path(run.getParent(), "." + run.getName() + ".records");
        sc.setCheckpointDir(records.toString());
        return new RecordsDirectory(fs, records);
    }

    @Override
    public void close() throws IOException {
        if (created != null) fs.delete(created, true);
    }
}
