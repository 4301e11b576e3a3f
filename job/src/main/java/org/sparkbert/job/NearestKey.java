package org.sparkbert.job;

import java.util.Collection;
import java.util.Optional;

/** Suggests the known key closest to a mistyped one, by edit distance, as "did you mean" help. */
public final class NearestKey {
    private NearestKey() {}

    public static Optional<String> among(String wanted, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = editDistance(wanted, candidate);
            if (d < bestDistance || (d == bestDistance && best != null && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = d;
            }
        }
        // A suggestion further away than half the key is noise, not help.
        if (best == null || bestDistance > Math.max(3, wanted.length() / 2)) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
