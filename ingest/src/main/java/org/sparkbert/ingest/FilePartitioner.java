package org.sparkbert.ingest;

import java.util.List;
import org.apache.spark.Partitioner;
import org.sparkbert.ingest.read.InputFile;

/**
 * Page keys to the partitions of a read that gave each file its own task: partition i holds the
 * records of the i-th file read, whatever its index in the whole input list.
 */
final class FilePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;

    private final int[] partitionOfFile;
    private final int partitions;

    FilePartitioner(List<InputFile> files) {
        int largest = files.stream().mapToInt(f -> f.index).max().orElse(0);
        partitionOfFile = new int[largest + 1];
        for (int i = 0; i < files.size(); i++) {
            partitionOfFile[files.get(i).index] = i;
        }
        partitions = Math.max(1, files.size());
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return partitionOfFile[Page.fileIndex((Long) key)];
    }
}
