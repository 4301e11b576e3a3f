package org.sparkbert.ml;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.checkpoint.Checkpoint;
import org.sparkbert.engine.checkpoint.CheckpointWriter;
import org.sparkbert.engine.checkpoint.ModelExport;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.instances.SentenceSplitter;
import org.sparkbert.tokenize.masking.SpecialTokens;

/** Real C4 sentences, BERT's uncased vocabulary, a BERT-tiny checkpoint written by the engine's writer, a local session. */
final class TestFixtures {
    static final String C4 = "c4/c4-en-train.00000-of-01024.records0001-1041.textonly.jsonl";

    private TestFixtures() {}

    static Path sharedData() {
        return Path.of(System.getProperty("sparkbert.shared.data"));
    }

    static Path bertVocab() {
        return sharedData().resolve("bert");
    }

    static Tokenizer bertTokenizer() throws IOException {
        return Tokenizers.load(bertVocab().toString(), new Configuration(), null);
    }

    static SparkSession session(String name) {
        return SparkSession.builder()
                .master("local[2]")
                .appName(name)
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    /** The first {@code count} sentences of 8 to 400 characters in the shared C4 sample, whitespace runs as one space. */
    static List<String> c4Sentences(int count) throws IOException {
        ObjectMapper json = new ObjectMapper();
        SentenceSplitter splitter = new SentenceSplitter();
        List<String> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(sharedData().resolve(C4), StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null && out.size() < count; ) {
                for (SentenceSplitter.Sentence s :
                        splitter.split(json.readTree(line).get("text").asText())) {
                    String text = s.text().replaceAll("\\s+", " ").strip();
                    if (text.length() >= 8 && text.length() <= 400 && out.size() < count) {
                        out.add(text);
                    }
                }
            }
        }
        return out;
    }

    /** conf/models/bert-tiny.conf (objective mlm) over BERT's vocabulary, randomly initialised, as a checkpoint directory. */
    static Path tinyCheckpoint(Path parent, long seed) throws IOException {
        Tokenizer tokenizer = bertTokenizer();
        ModelConfig config = ModelConfig.bundled("bert-tiny").withVocabSize(tokenizer.vocabularySize());
        try (BertModel model = new BertModel(config, Backends.cpu(1), 1, 8, 1, 0)) {
            model.initialize(seed);
            Checkpoint checkpoint = new Checkpoint(
                    config,
                    ModelExport.tensors(model),
                    SpecialTokens.of(tokenizer).pad(),
                    new org.apache.hadoop.fs.Path(bertVocab().toUri()),
                    Map.of());
            FileSystem fs = FileSystem.getLocal(new Configuration());
            org.apache.hadoop.fs.Path dir =
                    new CheckpointWriter(fs, new org.apache.hadoop.fs.Path(parent.toUri())).write(0, checkpoint);
            return Path.of(dir.toUri());
        }
    }
}
