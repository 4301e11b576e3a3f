package org.sparkbert.train;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.sparkbert.engine.loop.HeldOutSet;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.job.UsageException;
import org.sparkbert.tokenize.Tokenizer;
import org.sparkbert.tokenize.heldout.CountBaselines;
import org.sparkbert.tokenize.heldout.HeldOutSplit;
import org.sparkbert.tokenize.masking.SpecialTokens;

/** --eval-data: an instances output's validation rows (masks frozen) and both count baselines on their masked positions. */
final class HeldOutData {

    private HeldOutData() {}

    static HeldOutSet read(SparkSession spark, String evalData, Tokenizer tokenizer, ModelConfig config) {
        HeldOutSplit split = HeldOutSplit.find(evalData, spark.sparkContext().hadoopConfiguration());
        if (split == null) {
            throw new UsageException("--eval-data " + evalData + " is not an instances output (no _REPORT.json of the"
                    + " instances stage): give the instances output whose validation/ split the run is scored on");
        }
        List<HeldOutSplit.ValidationRow> held = split.validationRows(spark).collect();
        List<HeldOutSet.Row> rows = held.stream()
                .map(r -> new HeldOutSet.Row(r.inputIds(), r.tokenTypeIds(), r.positions(), r.labels()))
                .toList();
        if (rows.isEmpty())
            throw new UsageException("--eval-data " + evalData + ": its validation/ split holds no instances");
        SpecialTokens specials = SpecialTokens.of(tokenizer);
        int[] specialIds = IntStream.range(0, tokenizer.vocabularySize())
                .filter(specials::isSpecial)
                .toArray();
        CountBaselines.Sums sums = split.baselines(spark, tokenizer.vocabularySize(), specialIds, held);
        HeldOutSet set = new HeldOutSet(rows, sums.unigramMean(), sums.neighbourMean());
        if (set.longest() > config.maxPositionEmbeddings()) {
            throw new UsageException("--eval-data " + evalData + " has validation instances of " + set.longest()
                    + " tokens but the model has " + config.maxPositionEmbeddings() + " positions");
        }
        return set;
    }
}
