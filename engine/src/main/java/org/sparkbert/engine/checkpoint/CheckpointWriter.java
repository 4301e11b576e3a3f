package org.sparkbert.engine.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes {@code CHECKPOINTS_DIR/step-NNNNNN/} on any Hadoop FileSystem: model.safetensors (Hugging
 * Face names and layout, see {@link HuggingFaceLayout}), config.json, the vocabulary files, any
 * extra files, and {@link CheckpointManifest#NAME} last. Everything goes into a hidden temporary
 * sibling first, renamed into place when complete, so a reader never sees half a checkpoint.
 */
public final class CheckpointWriter {

    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    /** Written by the writer itself: a vocabulary's or an extra file of these names is not copied. */
    static final Set<String> RESERVED = Set.of(
            WEIGHTS, CONFIG, CheckpointManifest.NAME, TokenizerKind.TOKENIZER_CONFIG, TokenizerKind.SPECIAL_TOKENS_MAP);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path checkpointsDir;

    public CheckpointWriter(FileSystem fs, Path checkpointsDir) {
        this.fs = fs;
        this.checkpointsDir = checkpointsDir;
    }

    public static String directoryName(long step) {
        return String.format("step-%06d", step);
    }

    /** Writes the checkpoint of {@code step} and returns its directory; one that exists already is an error. */
    public Path write(long step, Checkpoint checkpoint) throws IOException {
        return write(step, checkpoint, false);
    }

    /**
     * Writes the checkpoint of {@code step} and returns its directory. With {@code replace}, a
     * directory of that step left by an earlier attempt (one a resumed run did not start from,
     * because it was corrupt or newer than the checkpoint it was told to use) is replaced once the
     * new one is complete; without, it is an error.
     */
    public Path write(long step, Checkpoint checkpoint, boolean replace) throws IOException {
        Path target = new Path(checkpointsDir, directoryName(step));
        if (!replace && fs.exists(target)) {
            throw new IOException(target + " exists already; checkpoints are never overwritten");
        }
        Path temporary = new Path(checkpointsDir, "." + directoryName(step) + ".tmp-" + UUID.randomUUID());
        if (!fs.mkdirs(temporary)) {
            throw new IOException("cannot create " + temporary);
        }
        try {
            writeContents(temporary, checkpoint);
            if (replace && fs.exists(target) && !fs.delete(target, true)) {
                throw new IOException("cannot delete " + target + " to replace it");
            }
            if (!fs.rename(temporary, target)) {
                throw new IOException("cannot rename " + temporary + " to " + target);
            }
        } catch (IOException | RuntimeException e) {
            fs.delete(temporary, true);
            throw e;
        }
        return target;
    }

    private void writeContents(Path dir, Checkpoint checkpoint) throws IOException {
        CheckpointManifest manifest = new CheckpointManifest();
        HuggingFaceLayout layout = HuggingFaceLayout.of(checkpoint.model());
        Map<String, StoredTensor> tensors =
                layout.toCheckpoint(checkpoint.weights(), checkpoint.model(), checkpoint.padTokenId());
        writeFile(dir, WEIGHTS, manifest, out -> Safetensors.write(out, tensors, Map.of("format", "pt")));
        byte[] config = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(layout.configJson(checkpoint.model(), checkpoint.padTokenId()));
        writeFile(dir, CONFIG, manifest, out -> out.write(config));
        if (layout == HuggingFaceLayout.ELECTRA) {
            Map<String, StoredTensor> generator = layout.generatorToCheckpoint(checkpoint.weights());
            writeFile(
                    dir,
                    HuggingFaceLayout.GENERATOR_DIR + "/" + WEIGHTS,
                    manifest,
                    out -> Safetensors.write(out, generator, Map.of("format", "pt")));
            byte[] generatorConfig = JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(layout.generatorConfigJson(checkpoint.model(), checkpoint.padTokenId()));
            writeFile(dir, HuggingFaceLayout.GENERATOR_DIR + "/" + CONFIG, manifest, out -> out.write(generatorConfig));
        }
        copyVocabulary(checkpoint.vocabDir(), dir, manifest);
        writeTokenizerConfig(checkpoint, dir, manifest);
        for (Map.Entry<String, FileBody> extra : checkpoint.extraFiles().entrySet()) {
            writeFile(dir, extra.getKey(), manifest, extra.getValue());
        }
        try (OutputStream out = fs.create(new Path(dir, CheckpointManifest.NAME), false)) {
            out.write(manifest.toBytes());
        }
    }

    /**
     * The vocabulary's own files (vocab.txt, or vocab.json + merges.txt, tokenizer.json, ...), not its
     * reports. A model directory serves as a vocabulary too (--init-from a Hugging Face directory keeps
     * the tokenizer beside the weights): its model files are not vocabulary and are left out.
     */
    private void copyVocabulary(Path vocabDir, Path dir, CheckpointManifest manifest) throws IOException {
        FileSystem vocabFs = vocabDir.getFileSystem(fs.getConf());
        for (FileStatus status : vocabFs.listStatus(vocabDir)) {
            String name = status.getPath().getName();
            if (!status.isFile() || name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (RESERVED.contains(name)
                    || name.endsWith(".safetensors")
                    || name.endsWith(".bin")
                    || name.equals("trainer_state.json")) {
                continue;
            }
            writeFile(dir, name, manifest, out -> {
                try (InputStream in = vocabFs.open(status.getPath())) {
                    in.transferTo(out);
                }
            });
        }
    }

    /**
     * tokenizer_config.json and special_tokens_map.json as Hugging Face's save_pretrained writes
     * them, so that AutoTokenizer.from_pretrained(dir) knows the tokenizer class, its casing and its
     * special tokens; written afresh rather than copied, because model_max_length is the model's.
     */
    private void writeTokenizerConfig(Checkpoint checkpoint, Path dir, CheckpointManifest manifest) throws IOException {
        Path vocabDir = checkpoint.vocabDir();
        TokenizerDescription tokenizer = TokenizerDescription.of(vocabDir.getFileSystem(fs.getConf()), vocabDir);
        byte[] config = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(tokenizer
                        .kind()
                        .tokenizerConfig(
                                tokenizer.lowercase(), checkpoint.model().maxPositionEmbeddings()));
        byte[] specials = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(tokenizer.kind().specialTokensMap());
        writeFile(dir, TokenizerKind.TOKENIZER_CONFIG, manifest, out -> out.write(config));
        writeFile(dir, TokenizerKind.SPECIAL_TOKENS_MAP, manifest, out -> out.write(specials));
    }

    private void writeFile(Path dir, String name, CheckpointManifest manifest, FileBody body) throws IOException {
        try (OutputStream out = manifest.recording(name, fs.create(new Path(dir, name), false))) {
            body.writeTo(out);
        }
    }
}
