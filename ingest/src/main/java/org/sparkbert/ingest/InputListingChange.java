package org.sparkbert.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparkbert.ingest.read.InputFile;

/**
 * How the input files listed now differ from those an output's manifest recorded: new paths, paths
 * whose size changed, and paths that are gone. Paths and sizes only: checksumming every input again
 * would make a no-op rerun read the whole corpus.
 */
final class InputListingChange {
    /** Paths named in a message before the rest are only counted. */
    private static final int SHOWN = 5;

    final List<String> added = new ArrayList<>();
    final List<String> resized = new ArrayList<>();
    final List<String> removed = new ArrayList<>();

    private InputListingChange() {}

    static InputListingChange between(List<Manifest.Entry> recorded, List<InputFile> now) {
        InputListingChange change = new InputListingChange();
        Map<String, Long> before = new HashMap<>();
        recorded.forEach(e -> before.put(e.path, e.size));
        for (InputFile f : now) {
            Long size = before.remove(f.path);
            if (size == null) {
                change.added.add(f.path);
            } else if (size != f.size) {
                change.resized.add(f.path);
            }
        }
        change.removed.addAll(before.keySet());
        change.removed.sort(null);
        return change;
    }

    boolean isEmpty() {
        return added.isEmpty() && resized.isEmpty() && removed.isEmpty();
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        describe(parts, "new files", added);
        describe(parts, "files whose size changed", resized);
        describe(parts, "files no longer there", removed);
        return String.join("; ", parts);
    }

    private static void describe(List<String> parts, String what, List<String> paths) {
        if (paths.isEmpty()) {
            return;
        }
        String shown = String.join(", ", paths.subList(0, Math.min(SHOWN, paths.size())));
        parts.add(what + ": " + shown + (paths.size() > SHOWN ? " and " + (paths.size() - SHOWN) + " more" : ""));
    }
}
