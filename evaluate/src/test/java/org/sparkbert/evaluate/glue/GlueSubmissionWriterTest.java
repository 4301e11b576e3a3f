package org.sparkbert.evaluate.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlueSubmissionWriterTest {

    @Test
    void everyTestSplitHasItsServerFileName() {
        List<String> names = new ArrayList<>();
        for (GlueTask task : GlueTask.values()) {
            for (GlueSplit split : task.testSplits()) {
                names.add(split.submissionFileName());
            }
        }
        assertEquals(
                List.of(
                        "CoLA.tsv",
                        "SST-2.tsv",
                        "MRPC.tsv",
                        "STS-B.tsv",
                        "QQP.tsv",
                        "MNLI-m.tsv",
                        "MNLI-mm.tsv",
                        "QNLI.tsv",
                        "RTE.tsv",
                        "WNLI.tsv"),
                names);
    }

    @Test
    void labelNamesKeyedByTheTestIndex() throws IOException {
        GlueSplit mismatched = GlueTask.MNLI.testSplits().get(1);
        List<GlueExample> rows = readTestFile(
                mismatched,
                "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse"
                        + "\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\n"
                        + "0\t1\t1\tletters\tp\tp\tp\tp\tA man.\tA person.\n"
                        + "1\t2\t2\tletters\tp\tp\tp\tp\tA dog.\tA cat.\n"
                        + "2\t3\t3\tletters\tp\tp\tp\tp\tRain.\tWeather.\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GlueSubmissionWriter.writeLabels(mismatched, rows, new int[] {1, 0, 2}, out);
        assertEquals(
                "index\tprediction\n0\tentailment\n1\tcontradiction\n2\tneutral\n",
                out.toString(StandardCharsets.UTF_8));

        GlueSplit qqp = GlueTask.QQP.testSplits().get(0);
        List<GlueExample> questions =
                readTestFile(qqp, "id\tquestion1\tquestion2\n17\t\"Why?\"\tWhy not?\n4\tHow?\tHow so?\n");
        out.reset();
        GlueSubmissionWriter.writeLabels(qqp, questions, new int[] {0, 1}, out);
        assertEquals("index\tprediction\n17\t0\n4\t1\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void stsbScoresWithThreeDecimals() throws IOException {
        GlueSplit stsb = GlueTask.STSB.testSplits().get(0);
        List<GlueExample> rows = readTestFile(
                stsb,
                "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\n"
                        + "0\tmain-captions\tMSRvid\t2012test\t0024\tnone\tnone\tA girl is styling her hair.\tA girl is brushing her hair.\n"
                        + "1\tmain-captions\tMSRvid\t2012test\t0033\tnone\tnone\tA group of men play soccer.\tA group of boys play soccer.\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GlueSubmissionWriter.writeScores(stsb, rows, new double[] {3.14159, 5.2}, out);
        assertEquals("index\tprediction\n0\t3.142\n1\t5.200\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void wrongInputsAreRefused() throws IOException {
        GlueSplit rte = GlueTask.RTE.testSplits().get(0);
        List<GlueExample> rows = readTestFile(rte, "index\tsentence1\tsentence2\n0\tA.\tB.\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IllegalArgumentException count = assertThrows(
                IllegalArgumentException.class,
                () -> GlueSubmissionWriter.writeLabels(rte, rows, new int[] {0, 1}, out));
        assertTrue(count.getMessage().contains("RTE/test.tsv has 1 rows but 2 predictions"), count.getMessage());
        IllegalArgumentException label = assertThrows(
                IllegalArgumentException.class, () -> GlueSubmissionWriter.writeLabels(rte, rows, new int[] {2}, out));
        assertTrue(label.getMessage().contains("not a label index of RTE (0..1)"), label.getMessage());
        assertEquals(0, out.size(), "nothing written for refused predictions");
        assertThrows(
                IllegalArgumentException.class,
                () -> GlueSubmissionWriter.writeScores(rte, rows, new double[] {1}, out));
        IllegalArgumentException dev = assertThrows(
                IllegalArgumentException.class,
                () -> GlueSubmissionWriter.writeLabels(GlueTask.RTE.devSplits().get(0), rows, new int[] {0}, out));
        assertTrue(dev.getMessage().contains("RTE/dev.tsv is not a test split"), dev.getMessage());
    }

    private static List<GlueExample> readTestFile(GlueSplit split, String content) throws IOException {
        return GlueTsvReader.read(
                split, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), split.relativePath());
    }
}
