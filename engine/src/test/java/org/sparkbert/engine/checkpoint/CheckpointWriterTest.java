package org.sparkbert.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.model.ModelConfig;

class CheckpointWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAD = 0;

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void writesEveryVariantAndReadsItBackExactly() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path vocab = vocabulary();
        for (String variant :
                List.of("post_ln", "pre_ln", "albert", "relative_key", "relative_key_query", "sinusoidal")) {
            Golden golden = golden(variant);
            Path checkpoints = new Path(tmp.toUri().toString(), variant + "/checkpoints");
            Checkpoint checkpoint = new Checkpoint(
                    golden.model,
                    golden.weights,
                    PAD,
                    vocab,
                    Map.of("trainer_state.json", out -> out.write("{\"step\":42}".getBytes(StandardCharsets.UTF_8))));
            Path dir = new CheckpointWriter(fs, checkpoints).write(42, checkpoint);

            assertEquals("step-000042", dir.getName());
            assertEquals(Set.of("step-000042"), visibleNames(fs, checkpoints), "no temporary directory left behind");
            assertEquals(
                    Set.of(
                            "model.safetensors",
                            "config.json",
                            "vocab.txt",
                            "tokenizer.json",
                            "tokenizer_config.json",
                            "special_tokens_map.json",
                            "trainer_state.json",
                            "manifest.sha256"),
                    visibleNames(fs, dir),
                    variant);
            assertEquals(
                    "", sha256sumCheck(new java.io.File(dir.toUri())), "coreutils sha256sum agrees with the manifest");

            CheckpointReader.Loaded back = CheckpointReader.read(fs, dir);
            assertEquals(golden.model, back.model());
            assertEquals(golden.weights.keySet(), back.weights().keySet(), variant);
            for (String name : golden.weights.keySet()) {
                assertEquals(golden.weights.get(name), back.weights().get(name), variant + " " + name);
            }
        }
    }

    @Test
    void configAndTensorsFollowTheHuggingFaceClass() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path vocab = vocabulary();
        Map<String, String[]> expected = Map.of(
                "post_ln", new String[] {"BertForPreTraining", "bert"},
                "pre_ln", new String[] {"RobertaPreLayerNormForMaskedLM", "roberta-prelayernorm"},
                "albert", new String[] {"AlbertForPreTraining", "albert"});
        for (String variant : expected.keySet()) {
            Golden golden = golden(variant);
            Path dir = new CheckpointWriter(fs, new Path(tmp.toUri().toString(), "hf-" + variant))
                    .write(7, new Checkpoint(golden.model, golden.weights, 3, vocab, Map.of()));
            JsonNode config = JSON.readTree(new java.io.File(new Path(dir, "config.json").toUri()));
            assertEquals(
                    expected.get(variant)[0], config.get("architectures").get(0).asText());
            assertEquals(expected.get(variant)[1], config.get("model_type").asText());
            assertEquals("gelu", config.get("hidden_act").asText());
            assertEquals(3, config.get("pad_token_id").asInt());
            Safetensors.Contents stored = Safetensors.read(fs, new Path(dir, "model.safetensors"));
            assertEquals("pt", stored.metadata().get("format"), "transformers refuses safetensors without format=pt");
            assertFalse(stored.tensors().keySet().stream().anyMatch(n -> n.contains("decoder")), "the decoder is tied");
            if (variant.equals("pre_ln")) {
                // RoBERTa numbers positions from pad_token_id + 1: four zero rows, then ours.
                StoredTensor positions = stored.tensor("roberta_prelayernorm.embeddings.position_embeddings.weight");
                assertArrayEquals(new long[] {16 + 4, 24}, positions.shape());
                assertEquals(20, config.get("max_position_embeddings").asInt());
                float[] ours = golden.weights
                        .get("roberta_prelayernorm.embeddings.position_embeddings.weight")
                        .floats();
                assertArrayEquals(new float[4 * 24], Arrays.copyOf(positions.floats(), 4 * 24));
                assertArrayEquals(ours, Arrays.copyOfRange(positions.floats(), 4 * 24, positions.floats().length));
            } else {
                assertEquals(16, config.get("max_position_embeddings").asInt());
                assertEquals(golden.weights.keySet(), stored.tensors().keySet());
            }
            if (variant.equals("albert")) {
                assertEquals(12, config.get("embedding_size").asInt());
                assertEquals(1, config.get("num_hidden_groups").asInt());
            }
        }
    }

    /**
     * Relative positions keep Hugging Face's key and distance tables (RoBERTa's padded to its larger
     * max_position_embeddings) beside an all-zero absolute table; a sinusoidal model is stored as
     * "absolute" with its fixed table written out, and our own key says sinusoidal.
     */
    @Test
    void positionEncodingsAsTransformersReadThem() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        for (String variant : List.of("relative_key", "relative_key_query", "sinusoidal")) {
            Golden golden = golden(variant);
            Path dir = new CheckpointWriter(fs, new Path(tmp.toUri().toString(), "positions-" + variant))
                    .write(3, new Checkpoint(golden.model, golden.weights, 3, vocabulary(), Map.of()));
            JsonNode config = JSON.readTree(new java.io.File(new Path(dir, "config.json").toUri()));
            Safetensors.Contents stored = Safetensors.read(fs, new Path(dir, "model.safetensors"));
            boolean roberta = variant.equals("relative_key_query");
            String prefix = roberta ? "roberta_prelayernorm" : "bert";
            int rows = roberta ? 16 + 4 : 16;
            assertEquals(rows, config.get("max_position_embeddings").asInt(), variant);
            assertEquals(
                    variant, config.get("sparkbert_position_embedding_type").asText());
            StoredTensor table = stored.tensor(prefix + ".embeddings.position_embeddings.weight");
            assertArrayEquals(new long[] {rows, 24}, table.shape(), variant + " absolute table");
            if (variant.equals("sinusoidal")) {
                assertEquals("absolute", config.get("position_embedding_type").asText());
                assertArrayEquals(org.sparkbert.engine.model.SinusoidalPositions.table(16, 24), table.floats());
                continue;
            }
            assertEquals(variant, config.get("position_embedding_type").asText());
            assertArrayEquals(new float[rows * 24], table.floats(), "transformers loads but never adds it");
            for (int layer = 0; layer < 2; layer++) {
                String name = prefix + ".encoder.layer." + layer + ".attention.self.distance_embedding.weight";
                StoredTensor dist = stored.tensor(name);
                assertArrayEquals(new long[] {2 * rows - 1, 6}, dist.shape(), name);
                float[] ours = golden.weights.get(name).floats();
                int pad = (rows - 16) * 6;
                assertArrayEquals(
                        ours,
                        Arrays.copyOfRange(dist.floats(), pad, pad + ours.length),
                        name + ": distance 0 at row " + (rows - 1));
                assertArrayEquals(
                        new float[2 * pad],
                        concat(
                                Arrays.copyOf(dist.floats(), pad),
                                Arrays.copyOfRange(dist.floats(), pad + ours.length, dist.floats().length)),
                        name + " padding");
            }
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void filesTheManifestDoesNotListAreReportedAndIgnoredWhileListedOnesStillVerify() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
        Golden golden = golden("post_ln");
        Path dir = new CheckpointWriter(fs, new Path(tmp.toUri().toString(), "unlisted"))
                .write(3, new Checkpoint(golden.model, golden.weights, PAD, vocabulary(), Map.of()));
        java.nio.file.Path local = java.nio.file.Path.of(dir.toUri());
        // A checkpoint from before the tokenizer files were written, to which a person then added
        // them and a model card: the manifest lists neither.
        java.nio.file.Path manifest = local.resolve("manifest.sha256");
        List<String> older = Files.readAllLines(manifest).stream()
                .filter(line -> !line.endsWith("tokenizer_config.json") && !line.endsWith("special_tokens_map.json"))
                .toList();
        Files.write(manifest, older);
        Files.writeString(local.resolve("README.md"), "# A model card\n");
        Files.writeString(local.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"BertTokenizer\"}");

        CheckpointReader.Loaded back = CheckpointReader.read(fs, dir);
        assertEquals(List.of("README.md", "special_tokens_map.json", "tokenizer_config.json"), back.unlisted());
        assertEquals(
                Set.of("model.safetensors", "config.json", "vocab.txt", "tokenizer.json"),
                back.digests().keySet());
        assertEquals(
                golden.weights.get("bert.pooler.dense.weight"), back.weights().get("bert.pooler.dense.weight"));

        Files.writeString(local.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nchanged\n");
        IOException changed = assertThrows(IOException.class, () -> CheckpointReader.read(fs, dir));
        assertTrue(changed.getMessage().contains("vocab.txt has SHA-256"), changed.getMessage());
    }

    @Test
    void aCorruptOrIncompleteCheckpointIsRefused() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
        Golden golden = golden("albert");
        Path checkpoints = new Path(tmp.toUri().toString(), "bad");
        CheckpointWriter writer = new CheckpointWriter(fs, checkpoints);
        Path dir = writer.write(1, new Checkpoint(golden.model, golden.weights, PAD, vocabulary(), Map.of()));

        IOException again = assertThrows(
                IOException.class,
                () -> writer.write(1, new Checkpoint(golden.model, golden.weights, PAD, vocabulary(), Map.of())));
        assertTrue(again.getMessage().contains("exists already"), again.getMessage());

        java.io.File weights = new java.io.File(new Path(dir, "model.safetensors").toUri());
        byte[] bytes = Files.readAllBytes(weights.toPath());
        bytes[bytes.length - 1] ^= 1;
        Files.write(weights.toPath(), bytes);
        IOException corrupt = assertThrows(IOException.class, () -> CheckpointReader.read(fs, dir));
        assertTrue(corrupt.getMessage().contains("model.safetensors has SHA-256"), corrupt.getMessage());

        Files.delete(new java.io.File(new Path(dir, "manifest.sha256").toUri()).toPath());
        IOException incomplete = assertThrows(IOException.class, () -> CheckpointReader.read(fs, dir));
        assertTrue(incomplete.getMessage().contains("incomplete checkpoint"), incomplete.getMessage());
    }

    @Test
    void writesToHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        MiniDFSCluster cluster =
                new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            FileSystem hdfs = cluster.getFileSystem();
            Golden golden = golden("post_ln");
            Path dir = new CheckpointWriter(hdfs, new Path("/run/checkpoints"))
                    .write(123456, new Checkpoint(golden.model, golden.weights, PAD, vocabulary(), Map.of()));
            assertEquals(Set.of("step-123456"), visibleNames(hdfs, new Path("/run/checkpoints")));
            CheckpointReader.Loaded back = CheckpointReader.read(hdfs, dir);
            assertEquals(
                    golden.weights.get("bert.pooler.dense.weight"),
                    back.weights().get("bert.pooler.dense.weight"));
            assertEquals(
                    Set.of(
                            "model.safetensors",
                            "config.json",
                            "vocab.txt",
                            "tokenizer.json",
                            "tokenizer_config.json",
                            "special_tokens_map.json"),
                    back.digests().keySet());
            assertEquals(List.of(), back.unlisted(), "HDFS's own files are hidden or absent");
        } finally {
            cluster.shutdown();
        }
    }

    // ------------------------------------------------------------------------------------------

    private record Golden(ModelConfig model, Map<String, StoredTensor> weights) {}

    private static Golden golden(String variant) throws IOException {
        java.nio.file.Path dir = SafetensorsTest.goldenDir().resolve(variant);
        return new Golden(
                goldenConfig(dir.resolve("config.json")),
                Safetensors.read(Files.readAllBytes(dir.resolve("weights.safetensors")), variant)
                        .tensors());
    }

    /** The model keys of a fixture's config.json (which also holds Hugging Face's architecture keys). */
    static ModelConfig goldenConfig(java.nio.file.Path file) throws IOException {
        return ModelConfig.fromJson(JSON.readTree(file.toFile()), file.toString());
    }

    private Path vocabulary() throws IOException {
        java.nio.file.Path dir = tmp.resolve("vocab");
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n");
            Files.writeString(dir.resolve("tokenizer.json"), "{}");
            Files.writeString(dir.resolve("_REPORT.json"), "{}");
        }
        return new Path(dir.toUri().toString());
    }

    private static Set<String> visibleNames(FileSystem fs, Path dir) throws IOException {
        Set<String> names = new TreeSet<>();
        for (FileStatus s : fs.listStatus(dir)) {
            if (!s.getPath().getName().startsWith(".")) {
                names.add(s.getPath().getName());
            }
        }
        return names;
    }

    /** Runs coreutils' sha256sum on the manifest; returns its complaints (empty when all files match). */
    private static String sha256sumCheck(java.io.File dir) throws Exception {
        Process p = new ProcessBuilder("sha256sum", "--quiet", "-c", "manifest.sha256")
                .directory(dir)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }
}
