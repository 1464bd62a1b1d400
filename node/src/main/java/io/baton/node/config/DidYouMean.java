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

    /**
     * Edits from one string to the other: insertions, deletions, substitutions of one character, and
     * swaps of two adjacent ones ("wbe" is one edit from "web": the commonest typo of a short name).
     */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int substitute = d[i - 1][j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                d[i][j] = Math.min(substitute, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
