package org.sparkbert.tokenize.bench;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Writes a text file, one document per line, as the ingest stage's clean/ Parquet ({@code text}),
 * so that the vocab stage trains on exactly the lines the other trainers read.
 *
 * <p>Usage: TextToParquet CORPUS.txt INGEST_DIR PARTITIONS (run by {@code scripts/bench/tokenize})
 */
@Command(
        name = "TextToParquet",
        mixinStandardHelpOptions = true,
        description = "A text file, one document per line, as the ingest stage's clean/ Parquet.")
public final class TextToParquet implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "CORPUS.txt",
            description = "The documents, one a line; empty lines are dropped.")
    String corpus;

    @Parameters(index = "1", paramLabel = "INGEST_DIR", description = "The Parquet goes to INGEST_DIR/clean.")
    String ingestDir;

    @Parameters(index = "2", paramLabel = "PARTITIONS", description = "Parquet files written.")
    int partitions;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TextToParquet()).execute(args));
    }

    @Override
    public Integer call() {
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName("TextToParquet")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        spark.read()
                .text(corpus)
                .withColumnRenamed("value", "text")
                .filter("length(text) > 0")
                .repartition(partitions)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(ingestDir + "/clean");
        spark.stop();
        return 0;
    }

    TextToParquet() {}
}
