package io.baton.node.membership;

import io.baton.coordinator.core.Membership;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether a change of the Raft voters keeps a majority on the way: Raft commits a configuration
 * change with a majority of the old and of the new voters (Ratis's joint consensus), and the new
 * configuration must then keep working with the nodes that are up.
 */
public final class VoterQuorum {
    private VoterQuorum() {
    }

    /**
     * Null when changing the voters from {@code now} to {@code next} keeps a majority of each among
     * {@code up} (the leader and the followers it hears; a node being added counts as up, for Ratis
     * refuses to add one it cannot bring up to date); else the reason.
     */
    public static String problem(Set<String> now, Set<String> next, Set<String> up) {
        if (next.size() < Membership.MIN_NODES) {
            return "it would leave " + next.size() + " voters: Baton needs at least three to survive the loss of one";
        }
        for (Set<String> conf : java.util.List.of(now, next)) {
            Set<String> reachable = new HashSet<>(conf);
            reachable.retainAll(up);
            int majority = conf.size() / 2 + 1;
            if (reachable.size() < majority) {
                Set<String> down = new HashSet<>(conf);
                down.removeAll(up);
                return "the cluster would lose its quorum: of the voters " + sorted(conf) + " only " + sorted(reachable)
                        + " are up and " + majority + " are needed (down: " + sorted(down) + ")";
            }
        }
        return null;
    }

    private static String sorted(Set<String> s) {
        return String.join(", ", new java.util.TreeSet<>(s));
    }
}
