package org.sparkbert.train;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.job.StageOutput;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.train.job.InstanceTable;

/** The train stage's checks of its inputs against each other, each failing with the options to fix. */
final class InputChecks {

    private InputChecks() {}

    static void requireDirectory(String path, String option, Configuration conf) {
        try {
            Path p = new Path(StageOutput.uri(path));
            if (!p.getFileSystem(conf).getFileStatus(p).isDirectory()) {
                throw new UsageException(option + " " + path + " is not a directory");
            }
        } catch (FileNotFoundException e) {
            throw new UsageException(option + " " + path + " does not exist");
        } catch (IOException e) {
            throw new UsageException(option + " " + path + ": " + e.getMessage());
        }
    }

    static ModelConfig withVocabulary(ModelConfig config, Tokenizer tokenizer, String model, String vocab) {
        try {
            return config.withVocabSize(tokenizer.vocabularySize());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model " + model + " and --vocab " + vocab + ": " + e.getMessage());
        }
    }

    /** The longest instance, which must fit the model's positions; at least a batch of instances. */
    static int longest(InstanceTable.Summary table, ModelConfig config, String data, int batchSize) {
        if (table.count() == 0) {
            throw new UsageException("--data " + data + " holds no instances");
        }
        int longest = table.longest();
        if (longest > config.maxPositionEmbeddings()) {
            throw new UsageException("--data " + data + " has instances of " + longest + " tokens but the model has "
                    + config.maxPositionEmbeddings() + " positions (max_position_embeddings)");
        }
        if (table.count() < batchSize) {
            throw new UsageException("--data " + data + " holds " + table.count() + " instances, fewer than a batch of "
                    + batchSize + " (every step takes one instance from each of --batch-size data shards)");
        }
        return longest;
    }
}
