package org.sparkbert.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.sparkbert.engine.hub.PretrainedModel;
import org.sparkbert.engine.hub.WarmStart;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.StageReport;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;

/**
 * {@code train --init-from DIR}: a new run whose weights start from a sparkbert checkpoint or a
 * Hugging Face BERT directory. The architecture is DIR's config.json; the objective is the
 * instances' (their _REPORT.json), so the heads DIR lacks (MLM transform, pooler, NSP) start fresh.
 * Unlike --resume nothing else carries over: steps, schedule and optimiser state are the new run's.
 */
final class InitFrom {
    private final String dir;
    private final PretrainedModel source;
    private final ModelConfig config;

    private InitFrom(String dir, PretrainedModel source, ModelConfig config) {
        this.dir = dir;
        this.source = source;
        this.config = config;
    }

    /** Reads DIR and the objective of the instances in {@code data}; problems are usage errors naming the path. */
    static InitFrom read(String dir, String data, Configuration conf) {
        PretrainedModel source;
        try {
            Path path = new Path(StageOutput.uri(dir));
            source = PretrainedModel.read(path.getFileSystem(conf), path);
        } catch (IOException e) {
            throw new UsageException("--init-from " + dir + ": " + e.getMessage());
        }
        String objective = instancesObjective(data, conf);
        return new InitFrom(
                StageOutput.uri(dir).toString(), source, source.model().withObjective(objective));
    }

    private static String instancesObjective(String data, Configuration conf) {
        try {
            Path path = new Path(StageOutput.uri(data));
            FileSystem fs = path.getFileSystem(conf);
            JsonNode report = StageOutput.readReport(fs, path);
            String objective = report == null
                    ? ""
                    : report.path("arguments").path("objective").asText("");
            if (objective.isEmpty()) {
                throw new UsageException("--data " + data + ": its _REPORT.json does not say the instances' objective "
                        + "(nsp, sop or mlm), which --init-from needs; rebuild them with the instances stage");
            }
            return objective;
        } catch (IOException e) {
            throw new UsageException("--data " + data + ": cannot read its _REPORT.json: " + e.getMessage());
        }
    }

    /** The model to train: DIR's architecture with the instances' objective. */
    ModelConfig config() {
        return config;
    }

    /** DIR's vocabulary must be the one the instances were built with, token for token. */
    void checkVocabulary(Tokenizer tokenizer, String vocabDir) {
        List<String> theirs = source.vocabulary();
        if (theirs == null) {
            throw new UsageException(
                    "--init-from " + dir + " holds no vocabulary (vocab.txt, vocab.json or tokenizer.json): "
                            + "cannot check that it matches --vocab " + vocabDir);
        }
        List<String> ours = new ArrayList<>(tokenizer.vocabularySize());
        for (int id = 0; id < tokenizer.vocabularySize(); id++) ours.add(tokenizer.token(id));
        if (!ours.equals(theirs)) {
            int i = 0;
            while (i < Math.min(ours.size(), theirs.size()) && ours.get(i).equals(theirs.get(i))) i++;
            throw new UsageException(
                    "the vocabulary of --init-from " + dir + " (" + theirs.size() + " tokens) differs from --vocab "
                            + vocabDir + " (" + ours.size() + " tokens) at id " + i + " ('"
                            + (i < theirs.size() ? theirs.get(i) : "") + "' vs '" + (i < ours.size() ? ours.get(i) : "")
                            + "'): build the instances with the model's vocabulary (instances --vocab " + dir + ")");
        }
    }

    /** What trainer_state.json's configuration records of the start: the source and its weights' SHA-256. */
    Map<String, String> recorded() {
        Map<String, String> out = new TreeMap<>();
        out.put("init_from", dir);
        out.put("init_from_sha256", source.weightsSha256());
        return out;
    }

    /** The directory as a URI every executor reaches (each replica reads the weights from it). */
    String uri() {
        return dir;
    }

    /**
     * Checks DIR's tensors against the model to train, on a one-sequence model in the driver, before
     * any replica starts; the tensors left fresh and those unused go to the log and the report.
     */
    void check(ModelConfig config, StageReport report, Logger log) {
        WarmStart.Applied applied;
        try (BertModel model = new BertModel(config, org.sparkbert.engine.backend.Backends.cpu(1), 1, 1, 1, 0)) {
            applied = WarmStart.apply(model, source.weights(), dir, name -> false);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--init-from " + e.getMessage());
        }
        log.info(
                "train: --init-from {} ({}): {} tensors loaded; starting fresh: {}; stored but unused: {}",
                dir,
                source.format(),
                applied.loaded().size(),
                applied.fresh(),
                applied.unused());
        report.put("init_from", dir);
        report.put("init_from_format", source.format());
        report.put("init_from_sha256", source.weightsSha256());
        report.put("init_fresh_tensors", applied.fresh());
        report.put("init_unused_tensors", applied.unused());
    }
}
