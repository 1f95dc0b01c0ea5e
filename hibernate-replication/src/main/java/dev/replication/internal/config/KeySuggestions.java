package dev.replication.internal.config;

import dev.replication.ReplicationProperty;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;

/** Finds the known key nearest to a mistyped one (edit distance), for "did you mean" hints. */
final class KeySuggestions {

    private KeySuggestions() {
    }

    /** The known key within a few edits of {@code key}, if any. */
    static Optional<String> nearest(String key) {
        return Arrays.stream(ReplicationProperty.values())
                .map(ReplicationProperty::key)
                .min(Comparator.comparingInt(k -> distance(k, key)))
                .filter(k -> distance(k, key) <= Math.max(3, key.length() / 4));
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
