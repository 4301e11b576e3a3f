package org.sparkbert.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sparkbert.job.Settings;

/**
 * Hands each stage the settings that are its own. The pipeline accepts the keys of every conf/ file
 * (so a typo is refused before anything runs), but a stage refuses keys outside its own files; so
 * each stage gets, as {@code --conf}, the changed values of its files' keys and every Spark key.
 */
public final class StageSettings {
    private final Settings settings;
    private final List<String> sparkPairs;

    public StageSettings(Settings settings, List<String> sparkPairs) {
        this.settings = settings;
        this.sparkPairs = List.copyOf(sparkPairs);
    }

    /** The {@code --conf KEY=VALUE} arguments for a stage that reads the given bundled conf files. */
    public List<String> confArguments(List<String> confFiles) {
        Set<String> keys =
                new TreeSet<>(Settings.load(confFiles, null, Map.of()).asMap().keySet());
        List<String> args = new ArrayList<>();
        for (String key : keys) {
            if (!settings.isDefault(key)) {
                args.add("--conf");
                args.add(key + "=" + settings.string(key));
            }
        }
        for (String pair : sparkPairs) {
            args.add("--conf");
            args.add(pair);
        }
        return args;
    }
}
