package org.sparkbert.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkbert.engine.checkpoint.TrainingConfig;
import org.sparkbert.job.Settings;

/**
 * What a checkpoint records of a train run's configuration: the settings and every option that
 * decides the weights (a resumed run must match them), with the data identified by its instance
 * count and longest instance; the informational options apart.
 */
final class RecordedConfiguration {

    private RecordedConfiguration() {}

    /** arguments: the stage's derived fingerprint arguments (option values by snake-case name). */
    static TrainingConfig of(
            Settings settings,
            Map<String, Object> arguments,
            TrainArguments a,
            int seqLength,
            int instanceCount,
            int predictions) {
        Map<String, Object> result = new LinkedHashMap<>(settings.asMap());
        Map<String, Object> info = new LinkedHashMap<>();
        // How gradients travel does not change them: a run may resume with another ring check.
        result.keySet().removeIf(key -> key.startsWith("ring."));
        info.putAll(settings.withPrefix("ring."));
        arguments.forEach((k, v) -> {
            if (!TrainArguments.NOT_RECORDED.contains(k))
                (TrainArguments.INFORMATIONAL.contains(k) ? info : result).put(k, v);
        });
        result.put("max_predictions", predictions);
        result.put("data_order", "shard = rank in id order mod batch_size"); // ShardedBatches
        result.put("instances", instanceCount);
        result.put("seq_length", seqLength);
        info.put("threads", a.threadCount());
        info.put("replicas", a.replicas == null ? 1 : a.replicas); // 1 and N replicas agree up to float rounding
        info.putIfAbsent("device", a.device);
        return TrainingConfig.of(result, info);
    }
}
