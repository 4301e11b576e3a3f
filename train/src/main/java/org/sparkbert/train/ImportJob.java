package org.sparkbert.train;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.hub.HuggingFaceDirectory;
import org.sparkbert.engine.hub.OnnxBertImport;
import org.sparkbert.engine.hub.TokenizerJsonVocabulary;
import org.sparkbert.job.Settings;
import org.sparkbert.job.StageCommand;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/pretrain import}: a BERT encoder exported to ONNX, with its tokenizer.json, turned
 * into a Hugging Face model directory that {@code train --init-from}, {@code evaluate} and
 * transformers' from_pretrained all read. The work is {@link OnnxBertImport}'s; this is the stage
 * around it (atomic output, report, idempotent rerun). Spark starts, as for every stage, but does nothing.
 */
@Command(
        name = "import",
        description =
                "Turn a BERT encoder exported to ONNX (and its tokenizer.json) into a Hugging Face model directory.")
public final class ImportJob extends StageCommand {
    @Option(
            names = "--onnx",
            required = true,
            paramLabel = "MODEL.onnx",
            description = "The ONNX file of a BERT encoder (BertModel export).")
    String onnx;

    @Option(
            names = "--tokenizer",
            required = true,
            paramLabel = "tokenizer.json",
            description = "Its Hugging Face tokenizer.json (WordPiece).")
    String tokenizer;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The model directory to write.")
    String output;

    public static void main(String[] args) {
        StageCommand.main(new ImportJob(), args);
    }

    @Override
    protected String stageName() {
        return "import";
    }

    @Override
    protected List<String> confFiles() {
        return List.of();
    }

    @Override
    protected String outputPath() {
        return output;
    }

    @Override
    protected void validate(Settings settings, Configuration hadoopConf) {
        for (String file : new String[] {onnx, tokenizer}) {
            try {
                Path p = new Path(StageOutput.uri(file));
                if (!p.getFileSystem(hadoopConf).isFile(p)) throw new UsageException(file + " is not a file.");
            } catch (IOException e) {
                throw new UsageException("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    @Override
    protected void run(SparkSession spark, Settings settings, StageOutput output, StageReport report) throws Exception {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        byte[] tokenizerJson = readAll(tokenizer, conf);
        TokenizerJsonVocabulary vocabulary = TokenizerJsonVocabulary.parse(tokenizerJson, tokenizer);
        OnnxBertImport.Result model;
        Path onnxPath = new Path(StageOutput.uri(onnx));
        try (InputStream in = onnxPath.getFileSystem(conf).open(onnxPath)) {
            model = OnnxBertImport.read(in, onnx);
        }
        HuggingFaceDirectory.write(output.fileSystem(), output.work(), model, tokenizerJson, vocabulary);
        report.count("tensors", model.tensors().size());
        report.count(
                "parameters",
                model.tensors().values().stream()
                        .mapToLong(t -> t.elementCount())
                        .sum());
        report.count("vocabulary", vocabulary.tokens().size());
        report.put("config", model.config().toString());
        report.put("ignored_initializers", model.ignored());
        log.info(
                "import: {} tensors ({} layers, hidden {}) and {} tokens from {}",
                model.tensors().size(),
                model.config().path("num_hidden_layers").asInt(),
                model.config().path("hidden_size").asInt(),
                vocabulary.tokens().size(),
                onnx);
    }

    private static byte[] readAll(String file, Configuration conf) throws IOException {
        Path p = new Path(StageOutput.uri(file));
        FileSystem fs = p.getFileSystem(conf);
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }
}
