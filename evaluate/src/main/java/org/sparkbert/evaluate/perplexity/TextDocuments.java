package org.sparkbert.evaluate.perplexity;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.job.UsageException;

/**
 * The held-out text of the perplexity job as documents. Three inputs:
 * <ul>
 *   <li>a {@code clean/} Parquet directory of the ingest stage (columns {@code id}, {@code text});</li>
 *   <li>WikiText token files ({@code *.tokens}): a document is an article, which starts at a
 *   top-level heading line {@code " = Title = "} (sub-headings {@code " = = ... = = "} stay inside);</li>
 *   <li>any other text file, or a directory of them: documents are blocks separated by blank lines.</li>
 * </ul>
 */
public final class TextDocuments {
    private static final String WIKITEXT_SUFFIX = ".tokens";

    private TextDocuments() {}

    public static JavaRDD<Document> read(SparkSession spark, String input) throws IOException {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (isParquetDirectory(fs, path)) {
            Dataset<Row> clean = spark.read().parquet(input);
            for (String column : List.of("id", "text")) {
                if (!List.of(clean.columns()).contains(column)) {
                    throw new UsageException("--input " + input + " is a Parquet directory without a '" + column
                            + "' column; expected the ingest stage's clean/ output (id, text)");
                }
            }
            return clean.select("id", "text").javaRDD().map(r -> new Document(r.getString(0), r.getString(1)));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return jsc.wholeTextFiles(input)
                .flatMap(file -> split(new Path(file._1()).getName(), file._2()).iterator());
    }

    /** The documents of one text file, keyed by file name and ordinal. */
    public static List<Document> split(String fileName, String content) {
        List<String> texts = fileName.endsWith(WIKITEXT_SUFFIX) ? wikiTextArticles(content) : blankLineBlocks(content);
        List<Document> documents = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            documents.add(new Document(fileName + "#" + i, texts.get(i)));
        }
        return documents;
    }

    static List<String> blankLineBlocks(String content) {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = new StringBuilder();
        for (String line : content.split("\r\n|\r|\n", -1)) {
            if (line.isBlank()) {
                flush(block, blocks);
            } else {
                block.append(line.strip()).append('\n');
            }
        }
        flush(block, blocks);
        return blocks;
    }

    static List<String> wikiTextArticles(String content) {
        List<String> articles = new ArrayList<>();
        StringBuilder article = new StringBuilder();
        for (String line : content.split("\r\n|\r|\n", -1)) {
            String text = line.strip();
            if (isArticleHeading(text)) {
                flush(article, articles);
            }
            if (!text.isEmpty()) {
                article.append(text).append('\n');
            }
        }
        flush(article, articles);
        return articles;
    }

    /** "= Valkyria Chronicles III =" but not "= = Gameplay = =". */
    private static boolean isArticleHeading(String line) {
        return line.length() > 4 && line.startsWith("= ") && line.endsWith(" =") && !line.startsWith("= =");
    }

    private static void flush(StringBuilder text, List<String> into) {
        if (!text.isEmpty()) {
            into.add(text.toString().strip());
            text.setLength(0);
        }
    }

    private static boolean isParquetDirectory(FileSystem fs, Path path) throws IOException {
        if (!fs.getFileStatus(path).isDirectory()) {
            return false;
        }
        for (FileStatus status : fs.listStatus(path)) {
            String name = status.getPath().getName();
            if (name.endsWith(".parquet")) {
                return true;
            }
        }
        return false;
    }
}
