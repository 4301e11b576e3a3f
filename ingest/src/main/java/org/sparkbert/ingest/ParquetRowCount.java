package org.sparkbert.ingest;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * The rows written to a Parquet directory, summed from its files' footers: what a reader of the
 * output will see, read without a Spark query (which costs more to plan and compile than to run).
 */
final class ParquetRowCount {
    private ParquetRowCount() {}

    static long of(String dir, Configuration conf) throws IOException {
        Path path = new Path(dir);
        FileSystem fs = path.getFileSystem(conf);
        long rows = 0;
        for (FileStatus f : fs.listStatus(path, p -> p.getName().endsWith(".parquet"))) {
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(f, conf))) {
                rows += reader.getRecordCount();
            }
        }
        return rows;
    }
}
