package io.baton.node.config;

import java.util.Collection;

/**
 * The name a typo most likely meant, for "(did you mean 'x'?)" in a refusal: a key of the cluster
 * file, an event kind, a group named on batonctl's command line. Pure.
 */
public final class DidYouMean {
    private DidYouMean() {
    }

    /**
     * The candidate closest to {@code typed} when it is one edit away (two for candidates longer than
     * four characters), the first of equally close ones; null when none is that close.
     */
    public static String closest(String typed, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = editDistance(typed, candidate);
            if (distance <= (candidate.length() <= 4 ? 1 : 2) && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
