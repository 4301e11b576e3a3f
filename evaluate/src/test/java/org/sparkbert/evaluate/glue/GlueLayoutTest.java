package org.sparkbert.evaluate.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tasks without a real file in ../shared/data (QQP, MNLI, QNLI, WNLI) and every task's test.tsv,
 * on small files written to the layouts download_glue_data.py produces; then malformed rows.
 */
class GlueLayoutTest {
    private static final String MNLI_HEAD =
            "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse"
                    + "\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2";
    private static final String MNLI_PARSES =
            "( ( The ( new rights ) ) ( are ( nice enough ) ) )\t( Everyone ( really ( likes ( the ( newest benefits ) ) ) ) )"
                    + "\t(ROOT (S (NP (DT The) (JJ new) (NNS rights)) (VP (VBP are) (ADJP (JJ nice) (RB enough)))))"
                    + "\t(ROOT (S (NP (NN Everyone)) (VP (ADVP (RB really)) (VBZ likes) (NP (DT the) (JJS newest) (NNS benefits)))))";

    @TempDir
    Path glue;

    @Test
    void qqpKeepsQuoteCharactersLiterally() throws IOException {
        write(
                "QQP/dev.tsv",
                "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
                        + "201359\t303345\t303346\t\"Why are African-Americans so beautiful?\tWhy are \"hispanics\" so beautiful?\t0\n"
                        + "172974\t266948\t175089\tIs there a reason why we should travel alone?\tWhat are some reasons to travel alone?\"\t1\n");
        List<GlueExample> rows = GlueTsvReader.read(GlueTask.QQP.devSplits().get(0), glue);
        assertEquals(2, rows.size());
        assertEquals("201359", rows.get(0).id());
        assertEquals("\"Why are African-Americans so beautiful?", rows.get(0).textA());
        assertEquals("Why are \"hispanics\" so beautiful?", rows.get(0).textB());
        assertEquals(0, rows.get(0).label());
        assertEquals("What are some reasons to travel alone?\"", rows.get(1).textB());
        assertEquals(1, rows.get(1).label());
        assertEquals(3, rows.get(1).line());
    }

    @Test
    void mnliTrainDevMatchedAndMismatchedTakeTheLastColumnAsLabel() throws IOException {
        write(
                "MNLI/train.tsv",
                MNLI_HEAD + "\tlabel1\tgold_label\n" + "0\t31193\t31193n\tgovernment\t" + MNLI_PARSES
                        + "\tThe new rights are nice enough\tEveryone really likes the newest benefits \tneutral\tneutral\n");
        write(
                "MNLI/dev_matched.tsv",
                MNLI_HEAD + "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n"
                        + "0\t63735\t63735n\tslate\t" + MNLI_PARSES
                        + "\tThe new rights are nice enough\tEveryone really likes the newest benefits \tneutral\tentailment\tneutral\tneutral\tneutral\tneutral\n"
                        + "1\t91383\t91383c\tgovernment\t" + MNLI_PARSES
                        + "\tThis site includes a list of all award winners.\tThe Government Executive articles housed on the website are not able to be searched.\tcontradiction\tcontradiction\tcontradiction\tcontradiction\tcontradiction\tcontradiction\n");
        write(
                "MNLI/dev_mismatched.tsv",
                MNLI_HEAD + "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n"
                        + "0\t75290\t75290c\tletters\t" + MNLI_PARSES
                        + "\tYour contribution helped make it possible for us to provide our students with a quality education.\t"
                        + "Your contributions were of no help with our students' education.\tcontradiction\tentailment\tcontradiction\tcontradiction\tcontradiction\tentailment\n");

        GlueExample train = GlueTsvReader.read(GlueTask.MNLI.train(), glue).get(0);
        assertEquals("The new rights are nice enough", train.textA());
        assertEquals(2, train.label());

        List<GlueSplit> dev = GlueTask.MNLI.devSplits();
        assertEquals(
                List.of("dev_matched", "dev_mismatched"),
                dev.stream().map(GlueSplit::name).toList());
        List<GlueExample> matched = GlueTsvReader.read(dev.get(0), glue);
        assertEquals(2, matched.size());
        assertEquals(2, matched.get(0).label(), "gold_label (last column), not label1");
        assertEquals(0, matched.get(1).label());
        assertEquals("1", matched.get(1).id());
        GlueExample mismatched = GlueTsvReader.read(dev.get(1), glue).get(0);
        assertEquals(1, mismatched.label(), "gold_label 'entailment' although label1 says contradiction");
        assertEquals("Your contributions were of no help with our students' education.", mismatched.textB());
    }

    @Test
    void qnliAndWnli() throws IOException {
        write(
                "QNLI/dev.tsv",
                "index\tquestion\tsentence\tlabel\n"
                        + "0\tWhat came into force after the new constitution was herald?\tAs of that day, the new constitution heralding the Second Republic came into force.\tentailment\n"
                        + "1\tWhat is the first major city in the stream of the Rhine?\tThe most important tributaries in this area are the Ill below of Strasbourg.\tnot_entailment\n");
        write(
                "WNLI/train.tsv",
                "index\tsentence1\tsentence2\tlabel\n"
                        + "0\tI stuck a pin through a carrot. When I pulled the pin out, it had a hole.\tThe carrot had a hole.\t1\n"
                        + "1\tJohn couldn't see the stage with Billy in front of him because he is so short.\tJohn is so short.\t1\n"
                        + "2\tThe police arrested all of the gang members. They were trying to stop the drug trade in the neighborhood.\tThe police were trying to stop the drug trade in the neighborhood.\t1\n"
                        + "3\tSteve follows Fred's example in everything. He influences him hugely.\tSteve influences him hugely.\t0\n");
        List<GlueExample> qnli = GlueTsvReader.read(GlueTask.QNLI.devSplits().get(0), glue);
        assertEquals(List.of(0, 1), qnli.stream().map(GlueExample::label).toList());
        assertEquals(
                "What is the first major city in the stream of the Rhine?",
                qnli.get(1).textA());
        List<GlueExample> wnli = GlueTsvReader.read(GlueTask.WNLI.train(), glue);
        assertEquals(List.of(1, 1, 1, 0), wnli.stream().map(GlueExample::label).toList());
        assertEquals("Steve influences him hugely.", wnli.get(3).textB());
    }

    @Test
    void everyTestFileLayout() throws IOException {
        write(
                "CoLA/test.tsv",
                "index\tsentence\n0\tBill whistled past the house.\n1\tThe car honked its way down the road.\n");
        write("SST-2/test.tsv", "index\tsentence\n0\tuneasy mishmash of styles and genres .\n");
        write(
                "MRPC/test.tsv",
                "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
                        + "0\t1089874\t1089925\tPCCW 's chief operating officer , Mike Butcher , and Alex Arena , the chief financial officer , will report directly to Mr So .\t"
                        + "Current Chief Operating Officer Mike Butcher and Group Chief Financial Officer Alex Arena will report to So .\n");
        write(
                "STS-B/test.tsv",
                "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\n"
                        + "0\tmain-captions\tMSRvid\t2012test\t0024\tnone\tnone\tA girl is styling her hair.\tA girl is brushing her hair.\n");
        write(
                "QQP/test.tsv",
                "id\tquestion1\tquestion2\n0\tWould the idea of Trump and Putin in bed together scare you, given the geopolitical implications?\t"
                        + "Do you think that if Donald Trump were elected President, he would be able to restore relations with Putin and Russia as he said he could?\n");
        String mnliTest = MNLI_HEAD + "\n0\t31349\t31349\tgovernment\t" + MNLI_PARSES
                + "\tHierbas, ans seco, ans dulce, and frigola are just a few names worth keeping a look-out for.\t"
                + "Hierbas is a name worth looking out for.\n";
        write("MNLI/test_matched.tsv", mnliTest);
        write("MNLI/test_mismatched.tsv", mnliTest.replace("0\t31349", "7\t31349"));
        write(
                "QNLI/test.tsv",
                "index\tquestion\tsentence\n0\tWhat organization is devoted to Jihad against Israel?\tFor some decades prior to the First Palestine Intifada in 1987, the Muslim Brotherhood in Palestine took a \"quiescent\" stance towards Israel.\n");
        write(
                "RTE/test.tsv",
                "index\tsentence1\tsentence2\n0\tMangla was summoned after Madhumita's sister Nidhi Shukla, who was the first witness in the case.\tShukla is related to Mangla.\n");
        write(
                "WNLI/test.tsv",
                "index\tsentence1\tsentence2\n0\tMaude and Dora had seen the trains rushing across the prairie.\tHorses ran away when Maude and Dora came into sight.\n");

        int splits = 0;
        for (GlueTask task : GlueTask.values()) {
            for (GlueSplit split : task.testSplits()) {
                List<GlueExample> rows = GlueTsvReader.read(split, glue);
                GlueExample first = rows.get(0);
                assertTrue(!first.hasLabel() && !first.hasScore(), split + " has no labels");
                assertTrue(first.textA().length() > 10, split + " text_a: " + first.textA());
                boolean pair = task != GlueTask.COLA && task != GlueTask.SST2;
                assertEquals(pair, first.textB() != null, split + " text_b");
                splits++;
            }
        }
        assertEquals(10, splits);
        assertEquals(
                "1",
                GlueTsvReader.read(GlueTask.COLA.testSplits().get(0), glue)
                        .get(1)
                        .id());
        assertEquals(
                "7",
                GlueTsvReader.read(GlueTask.MNLI.testSplits().get(1), glue)
                        .get(0)
                        .id());
        assertEquals(
                "A girl is brushing her hair.",
                GlueTsvReader.read(GlueTask.STSB.testSplits().get(0), glue)
                        .get(0)
                        .textB());
        assertEquals("MNLI-mm.tsv", GlueTask.MNLI.testSplits().get(1).submissionFileName());
    }

    @Test
    void windowsLineEndingsAndByteOrderMarkAreTolerated() throws IOException {
        write(
                "RTE/dev.tsv",
                "\uFEFFindex\tsentence1\tsentence2\tlabel\r\n0\tA dog runs.\tAn animal moves.\tentailment\r\n");
        GlueExample row =
                GlueTsvReader.read(GlueTask.RTE.devSplits().get(0), glue).get(0);
        assertEquals("An animal moves.", row.textB());
        assertEquals(0, row.label());
    }

    @Test
    void wrongColumnCountNamesFileAndLine() throws IOException {
        Path file = write(
                "QQP/train.tsv",
                "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
                        + "1\t2\t3\tHow do I learn Java?\tHow can I learn Java?\t1\n"
                        + "4\t5\t6\tWhat is love?\t0\n");
        GlueFormatException e =
                assertThrows(GlueFormatException.class, () -> GlueTsvReader.read(GlueTask.QQP.train(), glue));
        assertTrue(e.getMessage().startsWith(file + ":3: expected 6 tab-separated columns"), e.getMessage());
        assertTrue(e.getMessage().contains("found 5"), e.getMessage());
    }

    @Test
    void colaRowMissingAColumn() throws IOException {
        write("CoLA/train.tsv", "gj04\t1\t\tOur friends won't buy this analysis.\ngj04\t0\tThey drank the pub.\n");
        GlueFormatException e =
                assertThrows(GlueFormatException.class, () -> GlueTsvReader.read(GlueTask.COLA.train(), glue));
        assertTrue(e.getMessage().contains("CoLA/train.tsv:2: expected 4 tab-separated columns"), e.getMessage());
    }

    @Test
    void unknownLabelIsAnError() throws IOException {
        write(
                "MNLI/dev_mismatched.tsv",
                MNLI_HEAD + "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n" + "0\t1\t1n\tletters\t"
                        + MNLI_PARSES + "\tA\tB\tneutral\tneutral\tneutral\tneutral\tneutral\tNeutral\n");
        GlueFormatException e = assertThrows(
                GlueFormatException.class, () -> GlueTsvReader.read(GlueTask.MNLI.split("dev_mismatched"), glue));
        assertTrue(
                e.getMessage()
                        .contains("dev_mismatched.tsv:2: label 'Neutral' in column 16 is not one of MNLI's labels"
                                + " [contradiction, entailment, neutral]"),
                e.getMessage());
    }

    @Test
    void badStsbScoresAreErrors() throws IOException {
        String head = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
        for (String score : List.of("5.200", "NaN", "-1.0", "4.0f", "")) {
            write(
                    "STS-B/dev.tsv",
                    head + "0\tmain-captions\tMSRvid\t2012test\t0000\tnone\tnone\tA man.\tA man.\t3.000\n"
                            + "1\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA cat.\tA dog.\t" + score + "\n");
            GlueFormatException e = assertThrows(
                    GlueFormatException.class,
                    () -> GlueTsvReader.read(GlueTask.STSB.devSplits().get(0), glue));
            assertTrue(
                    e.getMessage()
                            .contains("dev.tsv:3: score '" + score + "' in column 10 is not a number from 0 to 5"),
                    e.getMessage());
        }
    }

    @Test
    void wrongHeaderSaysWhichFileWasExpected() throws IOException {
        write("QNLI/dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n");
        GlueFormatException e = assertThrows(
                GlueFormatException.class,
                () -> GlueTsvReader.read(GlueTask.QNLI.devSplits().get(0), glue));
        assertTrue(
                e.getMessage()
                        .contains(
                                "QNLI/dev.tsv:1: expected the header of GLUE's QNLI dev file 'index\\tquestion\\tsentence\\tlabel'"),
                e.getMessage());
    }

    @Test
    void emptyLineAndInvalidUtf8AndEmptyFile() throws IOException {
        write("WNLI/dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\t1\n\n1\tc\td\t0\n");
        GlueFormatException blank = assertThrows(
                GlueFormatException.class,
                () -> GlueTsvReader.read(GlueTask.WNLI.devSplits().get(0), glue));
        assertTrue(blank.getMessage().contains("WNLI/dev.tsv:3: expected 4 tab-separated columns"), blank.getMessage());

        byte[] bad = "sentence\tlabel\ngood .\t1\nbad \u00e9 .\t0\n".getBytes(StandardCharsets.ISO_8859_1);
        GlueFormatException utf8 = assertThrows(
                GlueFormatException.class,
                () -> GlueTsvReader.read(
                        GlueTask.SST2.train(), new ByteArrayInputStream(bad), "hdfs://nn/glue/SST-2/train.tsv"));
        assertTrue(
                utf8.getMessage().startsWith("hdfs://nn/glue/SST-2/train.tsv:3: not valid UTF-8"), utf8.getMessage());

        write("RTE/train.tsv", "");
        GlueFormatException empty =
                assertThrows(GlueFormatException.class, () -> GlueTsvReader.read(GlueTask.RTE.train(), glue));
        assertTrue(empty.getMessage().contains("RTE/train.tsv:1: the file is empty"), empty.getMessage());
    }

    @Test
    void taskNamesAndLabels() {
        assertEquals(GlueTask.SST2, GlueTask.fromName("sst2"));
        assertEquals(GlueTask.STSB, GlueTask.fromName("STS-B"));
        assertEquals(GlueTask.MNLI, GlueTask.fromName("mnli"));
        assertTrue(GlueTask.STSB.isRegression());
        assertEquals(List.of("entailment", "not_entailment"), GlueTask.RTE.labels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GlueTask.fromName("SNLI"));
        assertTrue(e.getMessage().contains("CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI"), e.getMessage());
        assertNull(GlueTask.COLA.devSplits().get(0).submissionName());
    }

    private Path write(String relative, String content) throws IOException {
        Path file = glue.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
