package org.sparkbert.evaluate.glue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads one GLUE file the way Hugging Face's processors do ({@code csv.reader(delimiter='\t',
 * quotechar=None)} over a {@code utf-8-sig} text file): lines end at \n, \r or \r\n, fields are split
 * at every tab, and quote characters are ordinary text (QQP and MNLI are full of them). Unlike those
 * processors it never skips a row: a row with the wrong number of columns, an unknown label or a bad
 * score stops the read with a {@link GlueFormatException} naming the file and line.
 */
public final class GlueTsvReader {
    private static final char BYTE_ORDER_MARK = '\uFEFF';
    /** STS-B scores as GLUE writes them ("3.800"); Double.parseDouble alone would also take "NaN" or "5f". */
    private static final Pattern SCORE = Pattern.compile("\\d+(\\.\\d+)?");

    private static final double MAX_SCORE = 5.0;

    private final GlueSplit split;
    private final String source;

    private GlueTsvReader(GlueSplit split, String source) {
        this.split = split;
        this.source = source;
    }

    /** Reads {@code split} from its file under a GLUE data directory ({@code glueDir/MNLI/dev_matched.tsv}). */
    public static List<GlueExample> read(GlueSplit split, Path glueDir) throws IOException {
        Path file = glueDir.resolve(split.task().directoryName()).resolve(split.fileName());
        try (InputStream in = Files.newInputStream(file)) {
            return read(split, in, file.toString());
        }
    }

    /** Reads {@code split} from a stream; {@code source} names it in error messages (a path or URI). */
    public static List<GlueExample> read(GlueSplit split, InputStream in, String source) throws IOException {
        return new GlueTsvReader(split, source).readAll(in);
    }

    private List<GlueExample> readAll(InputStream in) throws IOException {
        List<GlueExample> examples = new ArrayList<>();
        int lineNumber = 0;
        try (Utf8LineReader reader = new Utf8LineReader(in)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (lineNumber == 1) {
                    line = withoutByteOrderMark(line);
                    if (split.layout().hasHeader()) {
                        checkHeader(line);
                        continue;
                    }
                }
                examples.add(parseRow(line, lineNumber, examples.size()));
            }
        } catch (CharacterCodingException e) {
            throw new GlueFormatException(source, lineNumber + 1, "not valid UTF-8 text", e);
        }
        if (lineNumber == 0 && split.layout().hasHeader()) {
            throw new GlueFormatException(
                    source,
                    1,
                    "the file is empty; a GLUE " + split.task() + " " + split.name() + " file starts with the header '"
                            + printable(split.layout().headerLine()) + "'");
        }
        return examples;
    }

    private static String withoutByteOrderMark(String line) {
        return !line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK ? line.substring(1) : line;
    }

    private void checkHeader(String line) {
        String expected = split.layout().headerLine();
        if (!line.equals(expected)) {
            throw new GlueFormatException(
                    source,
                    1,
                    "expected the header of GLUE's " + split.task() + " " + split.name() + " file '"
                            + printable(expected) + "', found '" + printable(line)
                            + "'; is this the right task and split?");
        }
    }

    private GlueExample parseRow(String line, int lineNumber, int ordinal) {
        TsvLayout layout = split.layout();
        String[] fields = line.split("\t", -1);
        if (fields.length != layout.columns()) {
            throw new GlueFormatException(
                    source,
                    lineNumber,
                    "expected " + layout.columns() + " tab-separated columns as in GLUE's " + split.task() + " "
                            + split.name() + " file, found " + fields.length + " in '" + printable(abbreviated(line))
                            + "'");
        }
        String id = layout.index() >= 0 ? fields[layout.index()] : Integer.toString(ordinal);
        String textA = fields[layout.textA()];
        String textB = layout.textB() >= 0 ? fields[layout.textB()] : null;
        if (!layout.isLabelled()) {
            return new GlueExample(id, lineNumber, textA, textB, GlueExample.NO_LABEL, Double.NaN);
        }
        String label = fields[layout.label()];
        if (split.task().isRegression()) {
            return new GlueExample(id, lineNumber, textA, textB, GlueExample.NO_LABEL, parseScore(label, lineNumber));
        }
        return new GlueExample(id, lineNumber, textA, textB, parseLabel(label, lineNumber), Double.NaN);
    }

    private int parseLabel(String label, int lineNumber) {
        int index = split.task().labels().indexOf(label);
        if (index < 0) {
            throw new GlueFormatException(
                    source,
                    lineNumber,
                    "label '" + printable(label) + "' in column "
                            + (split.layout().label() + 1) + " is not one of " + split.task() + "'s labels "
                            + split.task().labels());
        }
        return index;
    }

    private double parseScore(String score, int lineNumber) {
        if (SCORE.matcher(score).matches()) {
            double value = Double.parseDouble(score);
            if (value <= MAX_SCORE) {
                return value;
            }
        }
        throw new GlueFormatException(
                source,
                lineNumber,
                "score '" + printable(score) + "' in column " + (split.layout().label() + 1)
                        + " is not a number from 0 to 5 as STS-B's similarity scores are");
    }

    private static String abbreviated(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    /** Tabs shown as \t, so that a message shows where the columns split. */
    private static String printable(String text) {
        return text.replace("\t", "\\t");
    }
}
