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
import org.sparkbert.tokenize.instances.DocumentEncoder;
import org.sparkbert.tokenize.instances.InstanceShape;
import org.sparkbert.tokenize.instances.SentenceOrderPairs;
import org.sparkbert.tokenize.instances.TokenizedDocument;
import org.sparkbert.tokenize.instances.TrainingInstance;
import org.sparkbert.tokenize.masking.SpecialTokens;

/**
 * Training data from the shared C4 sample, built in memory with the instances library (until a test
 * runs the instances stage itself): a small WordPiece vocabulary cut from BERT's uncased one (its
 * special tokens, every single character and ## character the text uses, so that every word still
 * splits into pieces, and the most frequent other pieces), and ALBERT's sentence-order instances
 * written as the instances stage writes them (instance_id, doc_id, input_ids, token_type_ids, label).
 */
public final class C4InstancesForTests {

    private static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private C4InstancesForTests() {
    }

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
        counts.keySet().stream().map(full::token).filter(t -> t.replace("##", "").length() == 1).sorted().forEach(tokens::add);
        counts.entrySet().stream().sorted(Map.Entry.<Integer, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(frequentPieces).map(e -> full.token(e.getKey())).forEach(tokens::add);
        Files.createDirectories(dir);
        Files.write(dir.resolve("vocab.txt"), tokens);
    }

    public static long writeInstances(SparkSession spark, List<String> texts, Tokenizer tokenizer, int maxSeqLength,
                                      String out) {
        DocumentEncoder encoder = new DocumentEncoder(tokenizer);
        SentenceOrderPairs pairs = new SentenceOrderPairs(new InstanceShape(maxSeqLength, 0.1, 17),
                SpecialTokens.of(tokenizer));
        List<Row> rows = new ArrayList<>();
        for (int doc = 0; doc < texts.size(); doc++) {
            String docId = "c4-" + doc;
            TokenizedDocument encoded = encoder.encode(docId, texts.get(doc));
            if (encoded.sentenceCount() < 2) {
                continue;
            }
            for (TrainingInstance t : pairs.pairs(encoded, doc, 0)) {
                rows.add(RowFactory.create((long) rows.size(), docId, boxed(t.inputIds()), boxed(t.tokenTypeIds()),
                        t.label()));
            }
        }
        StructType schema = new StructType()
                .add("instance_id", DataTypes.LongType, false)
                .add("doc_id", DataTypes.StringType, false)
                .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add("token_type_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add("label", DataTypes.IntegerType, false);
        spark.createDataFrame(rows, schema).coalesce(2).write().parquet(out);
        return rows.size();
    }

    private static Integer[] boxed(int[] values) {
        Integer[] out = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
