package org.sparkbert.train.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;

/**
 * Training inputs from the shared C4 sample: its documents as the ingest stage's clean corpus, and a
 * small WordPiece vocabulary cut from BERT's uncased one (its special tokens, every single character
 * and ## character the text uses, so that every word still splits into pieces, and the most frequent
 * other pieces), so that a test trains in seconds rather than minutes.
 */
public final class C4ForTests {

    private static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private C4ForTests() {}

    public static List<String> documents(Path c4Jsonl, int count) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(c4Jsonl, StandardCharsets.UTF_8)) {
            for (String line; texts.size() < count && (line = in.readLine()) != null; ) {
                texts.add(json.readTree(line).get("text").asText());
            }
        }
        return texts;
    }

    /** Writes vocab.txt of at most about {@code frequentPieces} + the characters used, into {@code dir}. */
    public static void smallVocabulary(Path bertVocabDir, List<String> texts, int frequentPieces, Path dir)
            throws IOException {
        Tokenizer full = Tokenizers.load(bertVocabDir.toString(), new Configuration(), null);
        Map<Integer, Integer> counts = new TreeMap<>();
        for (String text : texts) {
            for (int id : full.encode(text)) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        Set<String> tokens = new LinkedHashSet<>(SPECIALS);
        counts.keySet().stream()
                .map(full::token)
                .filter(t -> t.replace("##", "").length() == 1)
                .sorted()
                .forEach(tokens::add);
        counts.entrySet().stream()
                .sorted(Map.Entry.<Integer, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(frequentPieces)
                .map(e -> full.token(e.getKey()))
                .forEach(tokens::add);
        Files.createDirectories(dir);
        Files.write(dir.resolve("vocab.txt"), tokens);
    }

    /** The texts as the ingest stage's clean corpus (id and text strings), for the instances stage to read. */
    public static void writeCleanCorpus(SparkSession spark, List<String> texts, String out) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create("c4-" + i, texts.get(i)));
        }
        StructType schema =
                new StructType().add("id", DataTypes.StringType, false).add("text", DataTypes.StringType, false);
        spark.createDataFrame(rows, schema).coalesce(2).write().parquet(out);
    }
}
