package org.sparkbert.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.tokenize.EncodeCommand;

class TextTokenizerTest {
    private static final int CLS = 101;
    private static final int SEP = 102;
    private static final int PAD = 0;
    private static SparkSession spark;
    private static List<String> sentences;
    private static List<int[]> encodeIds;

    @TempDir
    static Path tmp;

    /** 300 real C4 sentences and the ids `encode` writes for them with BERT's uncased vocabulary. */
    @BeforeAll
    static void encodeWithTheCommand() throws IOException {
        spark = TestFixtures.session("TextTokenizerTest");
        sentences = TestFixtures.c4Sentences(300);
        Path text = tmp.resolve("sentences.txt");
        Files.write(text, sentences);
        Path out = tmp.resolve("encoded.jsonl");
        int rc = EncodeCommand.execute(
                "--vocab",
                TestFixtures.bertVocab().toString(),
                "--input",
                text.toString(),
                "--output",
                out.toString(),
                "--format",
                "text");
        assertEquals(EncodeCommand.EXIT_OK, rc);
        ObjectMapper json = new ObjectMapper();
        encodeIds = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode ids = json.readTree(line).get("ids");
            int[] values = new int[ids.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = ids.get(i).asInt();
            }
            encodeIds.add(values);
        }
        assertEquals(sentences.size(), encodeIds.size());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> texts() {
        return spark.createDataset(sentences, Encoders.STRING()).toDF("text").repartition(3);
    }

    @Test
    void idsAreThoseOfEncodeBetweenClsAndSepCutToMaxLength() {
        int maxLength = 32;
        List<Row> rows = new TextTokenizer()
                .setVocabDir(TestFixtures.bertVocab().toString())
                .setMaxLength(maxLength)
                .transform(texts())
                .collectAsList();
        assertEquals(sentences.size(), rows.size());
        int truncated = 0;
        for (Row row : rows) {
            int i = sentences.indexOf(row.getString(0));
            int[] tokens = encodeIds.get(i);
            int kept = Math.min(tokens.length, maxLength - 2);
            truncated += kept < tokens.length ? 1 : 0;
            int[] expected = new int[kept + 2];
            expected[0] = CLS;
            System.arraycopy(tokens, 0, expected, 1, kept);
            expected[kept + 1] = SEP;
            assertArrayEquals(expected, Columns.ints(row, 1), row.getString(0));
            assertArrayEquals(new int[expected.length], Columns.ints(row, 2));
            int[] ones = new int[expected.length];
            Arrays.fill(ones, 1);
            assertArrayEquals(ones, Columns.ints(row, 3));
        }
        assertTrue(
                truncated > 10 && truncated < rows.size() - 10, "both cut and whole sentences: " + truncated + " cut");
    }

    @Test
    void paddingFillsToMaxLengthWithThePadTokenAndZeroAttention() {
        int maxLength = 48;
        Row row = new TextTokenizer()
                .setVocabDir(TestFixtures.bertVocab().toString())
                .setMaxLength(maxLength)
                .setPadding(true)
                .setOutputPrefix("q_")
                .transform(texts().limit(1))
                .head();
        int[] tokens = encodeIds.get(sentences.indexOf(row.getString(0)));
        int[] ids = Columns.ints(row, row.fieldIndex("q_input_ids"));
        int[] mask = Columns.ints(row, row.fieldIndex("q_attention_mask"));
        int length = Math.min(tokens.length, maxLength - 2) + 2;
        assertEquals(maxLength, ids.length);
        assertEquals(SEP, ids[length - 1]);
        for (int i = 0; i < maxLength; i++) {
            assertEquals(i < length ? 1 : 0, mask[i]);
            if (i >= length) {
                assertEquals(PAD, ids[i]);
            }
        }
    }

    @Test
    void aTooLongTextFailsWithoutTruncationNamingTheSetting() {
        TextTokenizer tokenizer = new TextTokenizer()
                .setVocabDir(TestFixtures.bertVocab().toString())
                .setMaxLength(8)
                .setTruncation(false);
        SparkException e = assertThrows(
                SparkException.class, () -> tokenizer.transform(texts()).collect());
        assertTrue(
                String.valueOf(rootMessage(e)).contains("set truncation to true or raise maxLength"), rootMessage(e));
    }

    @Test
    void aMissingVocabularyOrColumnIsNamed() {
        IllegalArgumentException noColumn = assertThrows(
                IllegalArgumentException.class,
                () -> new TextTokenizer()
                        .setVocabDir(TestFixtures.bertVocab().toString())
                        .setInputCol("body")
                        .transform(texts()));
        assertTrue(noColumn.getMessage().contains("no column 'body'"), noColumn.getMessage());
        Exception noVocab = assertThrows(
                RuntimeException.class,
                () -> new TextTokenizer()
                        .setVocabDir(tmp.resolve("nowhere").toString())
                        .transform(texts()));
        assertTrue(noVocab.getMessage().contains("nowhere"), noVocab.getMessage());
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
