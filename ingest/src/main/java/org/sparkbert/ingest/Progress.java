package org.sparkbert.ingest;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;

/** Names each step in the Spark UI (the job description) and in the log, with its number. */
final class Progress {
    private final SparkSession spark;
    private final Logger log;
    private final int steps;
    private int step;

    Progress(SparkSession spark, Logger log, int steps) {
        this.spark = spark;
        this.log = log;
        this.steps = steps;
    }

    void begin(String what) {
        step++;
        String name = "ingest " + step + "/" + steps + ": " + what;
        spark.sparkContext().setJobDescription(name);
        log.info("{}", name);
    }

    void done() {
        spark.sparkContext().setJobDescription(null);
    }
}
