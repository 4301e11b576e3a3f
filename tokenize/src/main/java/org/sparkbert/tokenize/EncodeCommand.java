package org.sparkbert.tokenize;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.job.ProjectVersion;
import org.sparkbert.job.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/pretrain encode}: text in, JSON lines of ids and tokens out, in input order, as
 * {@code spm_encode} does for SentencePiece. No special tokens are added. Runs in one JVM without
 * Spark; lines are encoded in parallel batches and written in order.
 */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        versionProvider = ProjectVersion.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description =
                "Encode text with a WordPiece (vocab.txt) or byte-level BPE (vocab.json + merges.txt) vocabulary.")
public final class EncodeCommand implements Callable<Integer> {
    public static final int EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2;
    private static final int BATCH_LINES = 4096;

    enum Format {
        json,
        text
    }

    @Option(
            names = "--vocab",
            required = true,
            paramLabel = "DIR",
            description = "The vocabulary directory (any Hadoop file system).")
    String vocab;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "JSON lines with a 'text' field, or plain text with --format text; '-' for standard input.")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "FILE",
            description = "JSON lines {\"ids\": [...], \"tokens\": [...]}; '-' for standard output.")
    String output;

    @Option(
            names = "--lowercase",
            arity = "1",
            paramLabel = "true|false",
            description =
                    "Lower-case first; default: as the vocabulary directory says (its tokenizer.json; WordPiece uncased, BPE cased).")
    Boolean lowercase;

    @Option(
            names = "--format",
            paramLabel = "json|text",
            description = "Input format: json (a 'text' field per line, the default) or text (one document per line).")
    Format format = Format.json;

    @Override
    public Integer call() throws IOException {
        Configuration conf = new Configuration();
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizers.load(vocab, conf, lowercase);
        } catch (VocabularyFormatException e) {
            throw new UsageException(e.getMessage());
        }
        if (!input.equals("-") && !new Path(input).getFileSystem(conf).exists(new Path(input))) {
            throw new UsageException("--input " + input + " does not exist.");
        }
        long lines;
        if (output.equals("-")) {
            lines = encodeAll(tokenizer, conf, new FilterOutputStream(System.out) {
                @Override
                public void close() throws IOException {
                    flush(); // standard output stays open for whoever runs us
                }
            });
        } else {
            // written aside and moved into place, so that a failure leaves no half-written output
            Path target = new Path(output);
            Path partial = new Path(target.getParent(), "." + target.getName() + ".partial");
            try (FileSystem fs = FileSystem.newInstance(target.toUri(), conf)) {
                fs.setWriteChecksum(false); // no .crc files beside a local output
                try {
                    lines = encodeAll(tokenizer, conf, fs.create(partial, true));
                    if (fs.exists(target)) fs.delete(target, false);
                    if (!fs.rename(partial, target))
                        throw new IOException("could not move " + partial + " to " + target);
                } finally {
                    fs.delete(partial, false);
                }
            }
        }
        System.err.println("encode: " + lines + " lines encoded with " + tokenizer.kind() + " ("
                + tokenizer.vocabularySize() + " tokens).");
        return EXIT_OK;
    }

    private long encodeAll(Tokenizer tokenizer, Configuration conf, OutputStream out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        long lines = 0;
        try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(open(input, conf), StandardCharsets.UTF_8), 1 << 16);
                Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
            List<String> batch = new ArrayList<>(BATCH_LINES);
            while (true) {
                String line = reader.readLine();
                if (line != null) batch.add(line);
                if (batch.size() == BATCH_LINES || (line == null && !batch.isEmpty())) {
                    writeBatch(batch, lines, tokenizer, json, writer);
                    lines += batch.size();
                    batch.clear();
                }
                if (line == null) return lines;
            }
        }
    }

    private void writeBatch(List<String> batch, long firstLine, Tokenizer tokenizer, ObjectMapper json, Writer writer)
            throws IOException {
        String[] encoded = new String[batch.size()];
        IntStream.range(0, batch.size())
                .parallel()
                .forEach(i -> encoded[i] = encodeLine(batch.get(i), firstLine + i + 1, tokenizer, json));
        for (String record : encoded) {
            writer.write(record);
            writer.write('\n');
        }
    }

    private String encodeLine(String line, long lineNumber, Tokenizer tokenizer, ObjectMapper json) {
        String text = format == Format.text ? line : textField(line, lineNumber, json);
        return toJson(tokenizer, tokenizer.encode(text));
    }

    private String textField(String line, long lineNumber, ObjectMapper json) {
        JsonNode record;
        try {
            record = json.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException(input + " line " + lineNumber
                    + " is not JSON (use --format text for plain text): " + e.getMessage());
        }
        JsonNode text = record == null ? null : record.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException(input + " line " + lineNumber + " has no string field 'text'.");
        }
        return text.asText();
    }

    static String toJson(Tokenizer tokenizer, int[] ids) {
        StringBuilder out = new StringBuilder(ids.length * 12 + 24);
        out.append("{\"ids\": [");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) out.append(", ");
            out.append(ids[i]);
        }
        out.append("], \"tokens\": [");
        JsonStringEncoder quote = JsonStringEncoder.getInstance();
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) out.append(", ");
            out.append('"');
            quote.quoteAsString(tokenizer.token(ids[i]), out);
            out.append('"');
        }
        return out.append("]}").toString();
    }

    private static InputStream open(String path, Configuration conf) throws IOException {
        if (path.equals("-")) return System.in;
        Path p = new Path(path);
        return p.getFileSystem(conf).open(p);
    }

    /** Runs a command line and returns the exit code: 0 done, 1 failed, 2 bad arguments or paths. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new EncodeCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UsageException) {
                System.err.println("encode: " + e.getMessage());
                return EXIT_USAGE;
            }
            System.err.println("encode: failed: " + e.getMessage());
            return EXIT_FAILED;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("encode: " + e.getMessage());
            System.err.println("Run with --help for the usage.");
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
