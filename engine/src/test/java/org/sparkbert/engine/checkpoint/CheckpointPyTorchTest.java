package org.sparkbert.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkbert.engine.backend.Backends;
import org.sparkbert.engine.model.Batch;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.model.Parameter;

/**
 * A checkpoint written from our engine, loaded by PyTorch the way Hugging Face transformers reads it
 * (scripts/golden/bert_golden.py checkpoint: HF tensor names mapped onto torch's own modules,
 * RoBERTa's positions from pad_token_id + 1, relative positions as Hugging Face's BertSelfAttention
 * computes them from config.json's position_embedding_type, a sinusoidal model as the learned table
 * it is exported as), gives our engine's MLM and NSP/SOP logits and final hidden states.
 */
class CheckpointPyTorchTest {

    @TempDir
    Path tmp;

    @Test
    void pyTorchReadsOurCheckpointsAsTransformersWould() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path vocab = Files.createDirectories(tmp.resolve("vocab"));
        Files.writeString(vocab.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
        for (String variant :
                List.of("post_ln", "pre_ln", "albert", "relative_key", "relative_key_query", "sinusoidal")) {
            Path fixture = SafetensorsTest.goldenDir().resolve(variant);
            ModelConfig config = CheckpointWriterTest.goldenConfig(fixture.resolve("config.json"));
            Safetensors.Contents weights =
                    Safetensors.read(Files.readAllBytes(fixture.resolve("weights.safetensors")), variant);
            Safetensors.Contents b =
                    Safetensors.read(Files.readAllBytes(fixture.resolve("batch.safetensors")), variant);
            int[] ids = b.tensor("input_ids").ints();
            int rows = (int) b.tensor("input_ids").shape()[0];
            int length = (int) b.tensor("input_ids").shape()[1];
            Batch batch = new Batch(
                    rows,
                    length,
                    ids,
                    b.tensor("token_type_ids").ints(),
                    b.tensor("attention_mask").ints(),
                    b.tensor("masked_positions").ints(),
                    b.tensor("masked_labels").ints(),
                    b.tensor("next_sentence_labels").ints());

            float[] ourMlm;
            float[] ourSentence;
            float[] ourHidden;
            Path checkpoint;
            try (BertModel model = new BertModel(config, Backends.cpu(2), rows, length, batch.predictions(), 0)) {
                for (Parameter p : model.parameters()) {
                    model.write(p, weights.tensor(p.name()).floats());
                }
                model.forward(batch, 1, 0, 1f);
                ourMlm = model.mlmLogits();
                ourSentence = config.hasSentenceTask() ? model.sentenceLogits() : null;
                ourHidden = model.hiddenStates();
                // pad id 0: the fixtures pad with id 0
                org.apache.hadoop.fs.Path dir = new CheckpointWriter(
                                fs,
                                new org.apache.hadoop.fs.Path(
                                        tmp.resolve(variant).toUri()))
                        .write(
                                1,
                                new Checkpoint(
                                        config,
                                        ModelExport.tensors(model),
                                        0,
                                        new org.apache.hadoop.fs.Path(vocab.toUri()),
                                        Map.of()));
                checkpoint = Path.of(dir.toUri());
            }

            Path out = tmp.resolve(variant + "-logits.safetensors");
            Process p = new ProcessBuilder(
                            "/usr/bin/python3",
                            SafetensorsTest.projectRoot()
                                    .resolve("scripts/golden/bert_golden.py")
                                    .toString(),
                            "checkpoint",
                            checkpoint.toString(),
                            fixture.resolve("batch.safetensors").toString(),
                            out.toString())
                    .redirectErrorStream(true)
                    .start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), log);
            Safetensors.Contents torch = Safetensors.read(Files.readAllBytes(out), out.toString());
            assertSmall(relativeError(ourMlm, torch.tensor("mlm_logits").floats()), 1e-4, variant + " MLM logits");
            assertSmall(
                    relativeError(ourHidden, torch.tensor("hidden_states").floats()), 1e-4, variant + " hidden states");
            if (ourSentence != null) {
                assertSmall(
                        relativeError(ourSentence, torch.tensor("nsp_logits").floats()),
                        1e-4,
                        variant + " sentence logits");
            }
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

    private static void assertSmall(double error, double bound, String what) {
        assertTrue(error < bound, what + ": relative error " + error + " (bound " + bound + ")");
    }
}
